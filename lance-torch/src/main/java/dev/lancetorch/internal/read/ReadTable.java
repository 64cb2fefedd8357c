package dev.lancetorch.internal.read;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.bridge.NativeScan;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What the readers of this package read of a table: their view of a {@code Table} (the permutation
 * package adapts one; borrowed, never closed here). Readers, scans and roots returned are owned by
 * the caller.
 */
public interface ReadTable {
  /** The table's name, for messages. */
  String name();

  /** The version of the table's current snapshot. */
  long version();

  /** The table's schema. */
  Schema schema();

  /** The rows of the current snapshot. */
  long countRows();

  /** The fragments of the current snapshot, in storage order. */
  List<FragmentSize> fragments();

  /** The table's connection allocator (borrowed). */
  BufferAllocator allocator();

  /**
   * What identifies the table's snapshot across handles (database, table, version): the key of the
   * memory caches shared by handles of one version.
   */
  Identity identity();

  /** An Arrow scan (allocated from {@code allocator}; the table's default when null). */
  ArrowReader scan(ReadScan scan, BufferAllocator allocator);

  /** A native tensor scan. */
  NativeScan nativeScan(ReadScan scan);

  /**
   * Rows by row id (row addresses without stable row ids), in the order asked; allocated from
   * {@code allocator}, the table's default when null.
   */
  VectorSchemaRoot takeRowIds(long[] rowIds, List<String> columns, BufferAllocator allocator);

  /** Rows at storage-order offsets, in the order asked; allocated from {@code allocator}. */
  VectorSchemaRoot takeOffsets(long[] offsets, List<String> columns, BufferAllocator allocator);

  /** A snapshot's identity: its database's uri, its table's name and its version. */
  record Identity(String databaseUri, String tableName, long version) {}
}
