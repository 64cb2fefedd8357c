package dev.lancetorch.permutation;

import dev.lancetorch.internal.read.PlannedReads;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link PlannedReads} of batches that are consecutive ranges of an identity permutation, in
 * order (a loader without shuffle, 0 or 1 worker, {@link Permutation#planReads}): one streaming
 * read of their rows (the iterator's path: Lance's native scan, zero-copy tensors, variable-length
 * columns included) instead of one read per batch. In order only: {@link #take} of any but the next
 * batch throws. Owns the iterator and releases it when closed. Thread-safe.
 *
 * @param <T> the batch type
 */
final class SequentialReads<T> implements PlannedReads {
  private static final AtomicLong PLANS = new AtomicLong();

  private final List<long[]> batches;
  private final BatchIterator<T> stream;
  private int taken;
  private boolean closed;

  private SequentialReads(List<long[]> batches, BatchIterator<T> stream) {
    this.batches = batches;
    this.stream = stream;
  }

  /** A plan over {@code batches} of {@code p}, or null unless they are consecutive ranges. */
  static <T> SequentialReads<T> of(Permutation<T> p, List<long[]> batches) {
    if (!PlannedReads.consecutive(batches)) {
      return null;
    }
    int size = batches.get(0).length;
    long start = batches.get(0)[0];
    long end = batches.get(batches.size() - 1)[batches.get(batches.size() - 1).length - 1] + 1;
    PLANS.incrementAndGet();
    return new SequentialReads<>(ReadPlans.kept(batches), new BatchIterator<>(p, size, start, end));
  }

  @Override
  public List<long[]> batches() {
    return batches;
  }

  /** The next batch of the stream; {@code handle} must be null (the planning handle formats). */
  @Override
  public synchronized T take(int index, Object handle) {
    if (index < 0 || index >= batches.size()) {
      throw new IndexOutOfBoundsException(
          "planned batch " + index + " out of range [0, " + batches.size() + ")");
    }
    if (closed) {
      throw new IllegalStateException("the planned batches are closed");
    }
    if (index != taken || handle != null) {
      throw new IllegalStateException("a sequential plan is read in order by its own handle");
    }
    taken++;
    return stream.next();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      stream.close();
    }
  }

  /** Sequential plans made in this JVM so far (diagnostics, tests). */
  static long plansMade() {
    return PLANS.get();
  }
}
