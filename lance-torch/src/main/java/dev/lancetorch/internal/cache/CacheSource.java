package dev.lancetorch.internal.cache;

import java.util.List;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What the disk cache reads from a table (the permutation package adapts a {@code Table} to it):
 * where the table is, its schema, and sequential scans of single fragments. Borrowed by the cache
 * for the fills it runs; the adapter's table must stay open meanwhile (a fill over a closed table
 * fails, is logged, and the fragment's rows keep coming from the source).
 */
public interface CacheSource {
  /**
   * The table's location and name, without credentials (user info, query string): the key of its
   * cache directory.
   */
  String location();

  /** The table's schema (the cached columns' types are taken from it). */
  Schema schema();

  /**
   * A scan of every live row of one fragment, in row order, of {@code columns} and, with {@code
   * addresses}, the row address column {@code _rowaddr}; the reader is owned by the caller. Lance
   * reads {@code readahead} batches ahead (requests in flight, on object storage).
   */
  ArrowReader scanFragment(
      int fragmentId, List<String> columns, boolean addresses, int batchSize, int readahead);
}
