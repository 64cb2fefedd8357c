package dev.lancetorch.internal.permutation;

import dev.lancetorch.internal.arrow.FragmentSize;
import java.util.List;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What building a permutation reads of its base table: the permutation builders' view of a {@code
 * Table} (the permutation package adapts one; borrowed, never closed here). Readers returned are
 * owned by the caller.
 */
public interface BaseTable {
  /** The table's name, for messages. */
  String name();

  /** The version of the table's current snapshot. */
  long version();

  /** The table's schema. */
  Schema schema();

  /** Rows matching {@code filter} (a SQL predicate), all rows when null. */
  long countRows(String filter);

  /** The fragments of the current snapshot, in storage order. */
  List<FragmentSize> fragments();

  /** A SQL query over the table (as {@code t}, with {@code _rowaddr}). */
  ArrowReader sql(String query);

  /** A scan of {@code columns} with row addresses, rows matching {@code filter} (null: all). */
  ArrowReader scanWithAddresses(List<String> columns, String filter, int batchSize);
}
