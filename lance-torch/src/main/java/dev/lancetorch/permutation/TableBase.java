package dev.lancetorch.permutation;

import dev.lancetorch.Query;
import dev.lancetorch.Table;
import dev.lancetorch.TableRef;
import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.bridge.BatchAccess;
import dev.lancetorch.internal.bridge.NativeScan;
import dev.lancetorch.internal.cache.CacheSource;
import dev.lancetorch.internal.memory.LibraryMemory;
import dev.lancetorch.internal.permutation.BaseTable;
import dev.lancetorch.internal.read.ReadScan;
import dev.lancetorch.internal.read.ReadTable;
import dev.lancetorch.torch.TorchScan;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A {@link Table} (borrowed) as the permutation builders' {@link BaseTable}, the readers' {@link
 * ReadTable} and the disk cache's {@link CacheSource}: each call is the same {@code Table} call the
 * internal layers made before.
 */
record TableBase(Table table) implements BaseTable, ReadTable, CacheSource {
  @Override
  public String name() {
    return table.name();
  }

  @Override
  public long version() {
    return table.version();
  }

  @Override
  public Schema schema() {
    return table.schema();
  }

  @Override
  public long countRows(String filter) {
    return filter == null ? table.countRows() : table.countRows(filter);
  }

  @Override
  public long countRows() {
    return table.countRows();
  }

  @Override
  public List<FragmentSize> fragments() {
    return table.fragments().stream()
        .map(f -> new FragmentSize(f.id(), f.numRows(), f.physicalRows(), f.files()))
        .toList();
  }

  @Override
  public ArrowReader sql(String query) {
    return table.sql(query);
  }

  @Override
  public ArrowReader scanWithAddresses(List<String> columns, String filter, int batchSize) {
    return table
        .query()
        .select(columns)
        .withRowAddress(true)
        .where(filter)
        .batchSize(batchSize)
        .toArrowReader();
  }

  @Override
  public BufferAllocator allocator() {
    return table.allocator();
  }

  @Override
  public Identity identity() {
    TableRef ref = table.reopenState();
    return new Identity(ref.databaseUri(), ref.tableName(), ref.version());
  }

  @Override
  public ArrowReader scan(ReadScan scan, BufferAllocator allocator) {
    Query q = query(scan);
    return allocator == null ? q.toArrowReader() : q.toArrowReader(allocator);
  }

  @Override
  public NativeScan nativeScan(ReadScan scan) {
    return BatchAccess.scanOf(TorchScan.open(query(scan))); // the view is dropped: we own the scan
  }

  private Query query(ReadScan scan) {
    Query q =
        table
            .query()
            .select(scan.columns())
            .withRowId(scan.rowId())
            .withRowAddress(scan.rowAddress());
    if (scan.fragmentId() != null) {
      q.fragmentIds(List.of(scan.fragmentId()));
    }
    if (scan.offset() != null) {
      q.offset(scan.offset());
    }
    if (scan.limit() != null) {
      q.limit(scan.limit());
    }
    if (scan.readahead() != null) {
      q.batchReadahead(scan.readahead());
    }
    return q.batchSize(scan.batchSize());
  }

  @Override
  public VectorSchemaRoot takeRowIds(
      long[] rowIds, List<String> columns, BufferAllocator allocator) {
    return allocator == null
        ? table.takeRowIds(rowIds, columns)
        : table.takeRowIds(rowIds, columns, allocator);
  }

  @Override
  public VectorSchemaRoot takeOffsets(
      long[] offsets, List<String> columns, BufferAllocator allocator) {
    return table.takeOffsets(offsets, columns, allocator);
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

  /**
   * The disk cache's fill scans allocate in lance-torch's own memory ({@link
   * LibraryMemory#COLUMN_CACHES}), never in the user's allocators; the fill frees each batch as it
   * writes it.
   */
  @Override
  public ArrowReader scanFragment(
      int fragmentId, List<String> columns, boolean addresses, int batchSize, int readahead) {
    return scan(
        ReadScan.of(columns, batchSize)
            .fragment(fragmentId)
            .withRowAddress(addresses)
            .readahead(readahead),
        LibraryMemory.COLUMN_CACHES);
  }
}
