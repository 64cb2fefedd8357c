package dev.lancetorch.permutation;

import dev.lancetorch.internal.read.PlannedReads;
import java.util.List;

/**
 * The plan of the batches a loader announced ({@link Permutation#planReads}) when they are
 * consecutive ranges of an identity permutation, in order (a loader without shuffle, 0 or 1
 * worker): a {@link PlannedReads} whose source is one streaming read of their rows (the iterator's
 * path: Lance's native scan, zero-copy tensors, variable-length columns included) instead of one
 * read per batch. The plan owns the iterator and releases it when closed.
 */
final class SequentialReads {
  private static final java.util.concurrent.atomic.AtomicLong PLANS =
      new java.util.concurrent.atomic.AtomicLong();

  private SequentialReads() {}

  /**
   * A plan over {@code batches} of {@code p}, or null unless they are consecutive ranges: batch
   * {@code k + 1} starts where batch {@code k} ends, each of the first one's size but the last (not
   * larger), every batch ascending by one.
   */
  static <T> PlannedReads<T> of(Permutation<T> p, List<long[]> batches) {
    if (!consecutive(batches)) {
      return null;
    }
    int size = batches.get(0).length;
    long start = batches.get(0)[0];
    long end = batches.get(batches.size() - 1)[batches.get(batches.size() - 1).length - 1] + 1;
    PLANS.incrementAndGet();
    BatchIterator<T> stream = new BatchIterator<>(p, size, start, end);
    return new PlannedReads<>(List.copyOf(batches), rows -> stream.next(), stream::close);
  }

  /** True when the batches are consecutive ranges as {@link #of} needs them. */
  static boolean consecutive(List<long[]> batches) {
    if (batches.isEmpty() || PlannedReads.uniformRows(batches) < 0) {
      return false;
    }
    long expect = batches.get(0)[0];
    for (long[] b : batches) {
      for (long o : b) {
        if (o != expect++) {
          return false;
        }
      }
    }
    return true;
  }

  /** Sequential plans made in this JVM so far (diagnostics, tests). */
  static long plansMade() {
    return PLANS.get();
  }
}
