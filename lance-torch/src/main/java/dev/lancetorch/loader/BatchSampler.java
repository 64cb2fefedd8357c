package dev.lancetorch.loader;

import java.util.ArrayList;
import java.util.Arrays;
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
   * Consecutive batches of {@code batchSize}; the last, shorter one is dropped when {@code
   * dropLast}.
   */
  static BatchSampler fixedSize(int batchSize, boolean dropLast) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be > 0: " + batchSize);
    }
    return offsets -> {
      List<long[]> out = new ArrayList<>(offsets.length / batchSize + 1);
      for (int from = 0; from < offsets.length; from += batchSize) {
        int to = Math.min(offsets.length, from + batchSize);
        if (to - from < batchSize && dropLast) {
          break;
        }
        out.add(Arrays.copyOfRange(offsets, from, to));
      }
      return out;
    };
  }
}
