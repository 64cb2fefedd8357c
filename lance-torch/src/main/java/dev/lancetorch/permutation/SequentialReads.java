package dev.lancetorch.permutation;

import dev.lancetorch.internal.read.PlanCursor;
import java.util.List;

/**
 * The batches a loader announced ({@link Permutation#planReads}) when they are consecutive ranges
 * of an identity permutation, in order (a loader without shuffle, 0 or 1 worker): one streaming
 * read of their rows (the iterator's path: Lance's native scan, zero-copy tensors, variable-length
 * columns included) instead of one read per batch. While the loader asks exactly these batches in
 * this order each comes from the stream; the first request that differs ends the plan. Owns the
 * iterator; {@link #close()} (idempotent) releases it. Thread-safe.
 *
 * @param <T> the batch type
 */
final class SequentialReads<T> implements AutoCloseable {
  private static final java.util.concurrent.atomic.AtomicLong PLANS =
      new java.util.concurrent.atomic.AtomicLong();

  private final PlanCursor cursor;
  private final BatchIterator<T> stream;
  private boolean closed;

  private SequentialReads(List<long[]> batches, BatchIterator<T> stream) {
    this.cursor = new PlanCursor(batches);
    this.stream = stream;
  }

  /**
   * A plan over {@code batches} of {@code p}, or null unless they are consecutive ranges: batch
   * {@code k + 1} starts where batch {@code k} ends, each of the first one's size but the last (not
   * larger), every batch ascending by one.
   */
  static <T> SequentialReads<T> of(Permutation<T> p, List<long[]> batches) {
    if (!consecutive(batches)) {
      return null;
    }
    int size = batches.get(0).length;
    long start = batches.get(0)[0];
    long end = batches.get(batches.size() - 1)[batches.get(batches.size() - 1).length - 1] + 1;
    PLANS.incrementAndGet();
    return new SequentialReads<>(List.copyOf(batches), new BatchIterator<>(p, size, start, end));
  }

  /** True when the batches are consecutive ranges as {@link #of} needs them. */
  static boolean consecutive(List<long[]> batches) {
    if (batches.isEmpty() || PlanCursor.uniformRows(batches) < 0) {
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

  /**
   * The planned batch for {@code offsets} (owned by the caller), or null when they are not the next
   * planned batch.
   */
  synchronized T take(long[] offsets) {
    if (closed || !cursor.advance(offsets)) {
      return null;
    }
    return stream.next();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      stream.close();
    }
  }
}
