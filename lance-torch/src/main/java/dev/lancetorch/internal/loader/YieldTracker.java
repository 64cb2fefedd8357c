package dev.lancetorch.internal.loader;

import java.util.BitSet;

/**
 * Which batches of the current epoch the consumer has received. Consumer thread writes; snapshots
 * are synchronized.
 */
public final class YieldTracker {
  private final BitSet yielded = new BitSet();
  private int contiguous;

  /**
   * A tracker that starts with batches [0, contiguousYielded) and {@code yieldedBeyond} yielded (a
   * resumed epoch's state; 0 and none for a fresh epoch).
   */
  public YieldTracker(long contiguousYielded, long[] yieldedBeyond) {
    yielded.set(0, (int) contiguousYielded);
    for (long b : yieldedBeyond) {
      yielded.set((int) b);
    }
    contiguous = yielded.nextClearBit(0);
  }

  public synchronized boolean isYielded(long batch) {
    return yielded.get((int) batch);
  }

  public synchronized void markYielded(long batch) {
    yielded.set((int) batch);
    contiguous = yielded.nextClearBit(contiguous);
  }

  public synchronized int count() {
    return yielded.cardinality();
  }

  /** The batches yielded so far: all below {@code contiguous}, and {@code beyond} above it. */
  public record Yielded(long contiguous, long[] beyond) {}

  /** The batches yielded now (one consistent reading). */
  public synchronized Yielded yielded() {
    long[] beyond =
        yielded.get(contiguous, Math.max(contiguous, yielded.length())).stream()
            .mapToLong(i -> i + (long) contiguous)
            .toArray();
    return new Yielded(contiguous, beyond);
  }
}
