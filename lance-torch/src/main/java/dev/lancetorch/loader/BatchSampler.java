package dev.lancetorch.loader;

import java.util.List;

/**
 * Groups one epoch's sampled offsets (after distributed sharding) into batches (PyTorch's {@code
 * BatchSampler}).
 */
@FunctionalInterface
public interface BatchSampler {
  /** The batches of one epoch, in order; must be a pure function of its input. */
  List<long[]> batches(long[] offsets);

  /**
   * The same batches as {@link #batches(long[])} of {@code offsets.toArray()}: what the loaders
   * call. The default materializes the order (at most 2^31 - 9 offsets); {@link #fixedSize} returns
   * a list that computes each batch when asked, so an epoch of any number of rows (up to 2^31 - 9
   * batches) costs constant memory.
   */
  default List<long[]> batches(RowOrder offsets) {
    return batches(offsets.toArray());
  }

  /**
   * Consecutive batches of {@code batchSize}; the last, shorter one is dropped when {@code
   * dropLast}.
   */
  static BatchSampler fixedSize(int batchSize, boolean dropLast) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be > 0: " + batchSize);
    }
    return new FixedSizeBatches(batchSize, dropLast);
  }
}
