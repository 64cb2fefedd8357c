package dev.lancetorch.internal.read;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * An in-memory copy of some columns of a table ({@code Permutation.withMemoryCache}): {@link
 * NativeColumnCache} for fixed-width columns, {@link ColumnCache} otherwise. Owns what it holds
 * until {@link #close()}; every root returned is owned by the caller.
 */
public interface MemoryCache extends AutoCloseable {
  /** Payload bytes held. */
  long bytes();

  /** Rows at these base row addresses, in order. */
  VectorSchemaRoot gatherAddresses(long[] addrs, BufferAllocator allocator);

  /** Rows at these storage-order positions, in order. */
  VectorSchemaRoot gather(long[] positions, BufferAllocator allocator);

  @Override
  void close();
}
