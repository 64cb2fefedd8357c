package dev.lancetorch.internal.loader;

import java.util.BitSet;

/**
 * Which batches of the current epoch the consumer has received: every batch below {@code
 * contiguous}, plus a bit set of the ones yielded above it (out-of-order loading; a few). Batch
 * indices are {@code long}. Consumer thread writes; snapshots are synchronized.
 */
public final class YieldTracker {
  private long contiguous;
  private BitSet above = new BitSet(); // bit i: batch contiguous + i yielded
  private long count;

  /**
   * A tracker that starts with batches [0, contiguousYielded) and {@code yieldedBeyond} yielded (a
   * resumed epoch's state; 0 and none for a fresh epoch).
   */
  public YieldTracker(long contiguousYielded, long[] yieldedBeyond) {
    contiguous = contiguousYielded;
    count = contiguousYielded;
    for (long b : yieldedBeyond) {
      markYielded(b);
    }
  }

  public synchronized boolean isYielded(long batch) {
    return batch < contiguous || above.get(Math.toIntExact(batch - contiguous));
  }

  public synchronized void markYielded(long batch) {
    if (isYielded(batch)) {
      return;
    }
    above.set(Math.toIntExact(batch - contiguous));
    count++;
    int run = above.nextClearBit(0);
    if (run > 0) {
      contiguous += run;
      above = above.get(run, Math.max(run, above.length()));
    }
  }

  /** The number of batches yielded. */
  public synchronized long count() {
    return count;
  }

  /** The batches yielded so far: all below {@code contiguous}, and {@code beyond} above it. */
  public record Yielded(long contiguous, long[] beyond) {}

  /** The batches yielded now (one consistent reading). */
  public synchronized Yielded yielded() {
    long base = contiguous;
    return new Yielded(base, above.stream().mapToLong(i -> base + i).toArray());
  }
}
