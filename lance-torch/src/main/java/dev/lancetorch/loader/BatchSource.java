package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.RowSource;

/**
 * A random-access source of rows that the loaders read from, one batch of row offsets at a time.
 *
 * <p>Column projection and SQL filtering are the source's business (a {@code Permutation} applies
 * them before the loader sees any row): the loaders only see {@link #numRows()} rows addressed by
 * offset.
 *
 * <p><b>Ownership.</b> The caller of {@link #takeOffsets(long[])} owns the returned batch and
 * closes it if it is {@link AutoCloseable}. The caller of {@link #reopen()} owns the returned
 * handle and closes it. The loaders call {@code reopen()} exactly once per worker thread and close
 * that handle when the worker stops; they never close the source given to their builder (its
 * creator does).
 *
 * @param <B> the batch type
 */
public interface BatchSource<B> extends RowSource<B> {
  /** Number of rows addressable by offset. */
  @Override
  long numRows();

  /**
   * The rows at these offsets (0 ≤ offset &lt; numRows), in the order asked, as one batch. The
   * caller owns the result (closes it if AutoCloseable). Not required to be thread-safe.
   */
  @Override
  B takeOffsets(long[] offsets);

  /**
   * A hint that the next {@link #takeOffsets} calls on this handle will ask exactly these batches
   * in this order, so the source may read ahead (a {@code Permutation} plans windows of them); an
   * empty list drops the hint. The loaders call it on each worker's handle with the worker's share
   * of an epoch, and with an empty list when the worker is done — except for a {@code Permutation}
   * (built with {@code DataLoader.builder(Permutation)}), whose workers share one read of the whole
   * epoch (the permutation's planned batches) instead. Asking other batches must still work. The
   * default does nothing.
   */
  @Override
  default void planReads(java.util.List<long[]> batches) {}

  /**
   * A new independent handle (own table handle, own native resources) for one worker thread; the
   * caller closes it.
   */
  @Override
  BatchSource<B> reopen();

  /** Bytes held by a batch, for metrics; -1 if unknown. */
  @Override
  default long sizeInBytes(B batch) {
    return -1;
  }

  @Override
  void close();
}
