package dev.lancetorch.internal.loader;

import java.util.List;

/**
 * What the loader engine reads rows from, one batch of row offsets at a time: the internal side of
 * the public {@code dev.lancetorch.loader.BatchSource}, which extends it (and documents the
 * contract: the caller of {@link #takeOffsets} owns the returned batch and closes it if it is
 * {@link AutoCloseable}; the caller of {@link #reopen} owns the returned handle and closes it). The
 * engine's own wrappers (a worker's handle over an epoch's shared reads) implement it directly.
 *
 * @param <B> the batch type
 */
public interface RowSource<B> extends AutoCloseable {
  /** Number of rows addressable by offset. */
  long numRows();

  /** The rows at these offsets, in the order asked, as one batch owned by the caller. */
  B takeOffsets(long[] offsets);

  /** A hint that these batches will be asked next, in this order (empty: drops the hint). */
  default void planReads(List<long[]> batches) {}

  /** A new independent handle for one worker thread, owned by the caller. */
  RowSource<B> reopen();

  /** Bytes held by a batch, for metrics; -1 if unknown. */
  default long sizeInBytes(B batch) {
    return -1;
  }

  @Override
  void close();
}
