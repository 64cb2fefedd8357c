package dev.lancetorch.permutation;

import dev.lancetorch.Table;
import dev.lancetorch.internal.cache.CacheSource;
import dev.lancetorch.internal.memory.LibraryMemory;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A {@link Table} as the disk cache reads it (the table is borrowed: the permutation handle that
 * owns it outlives the fills it starts, or a fill fails and is logged). Fragment scans allocate in
 * lance-torch's own memory ({@link LibraryMemory#COLUMN_CACHES}), never in the user's allocators,
 * and are freed as the fill writes each batch.
 */
final class TableCacheSource implements CacheSource {
  private final Table table;

  TableCacheSource(Table table) {
    this.table = table;
  }

  @Override
  public String location() {
    return withoutCredentials(table.uri()) + "\n" + table.name();
  }

  /** {@code uri} without user info and query string (where credentials could be). */
  static String withoutCredentials(String uri) {
    try {
      URI u = new URI(uri);
      if (u.getScheme() != null && u.getRawAuthority() != null) {
        return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null)
            .toString();
      }
      return uri;
    } catch (URISyntaxException e) {
      int q = uri.indexOf('?');
      return q >= 0 ? uri.substring(0, q) : uri;
    }
  }

  @Override
  public Schema schema() {
    return table.schema();
  }

  @Override
  public ArrowReader scanFragment(
      int fragmentId, List<String> columns, boolean addresses, int batchSize) {
    return table
        .query()
        .select(columns)
        .withRowAddress(addresses)
        .fragmentIds(List.of(fragmentId))
        .batchSize(batchSize)
        .toArrowReader(LibraryMemory.COLUMN_CACHES);
  }
}
