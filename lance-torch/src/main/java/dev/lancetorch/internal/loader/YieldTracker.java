package dev.lancetorch.internal.loader;

import dev.lancetorch.loader.LoaderState;
import java.util.BitSet;

/**
 * Which batches of the current epoch the consumer has received. Consumer thread writes; snapshots
 * are synchronized.
 */
public final class YieldTracker {
  private final BitSet yielded = new BitSet();
  private int contiguous;

  public YieldTracker(LoaderState from) {
    if (from != null) {
      yielded.set(0, (int) from.contiguousYielded());
      for (long b : from.yieldedBeyond()) {
        yielded.set((int) b);
      }
      contiguous = yielded.nextClearBit(0);
    }
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

  public synchronized LoaderState snapshot(
      int epoch, long seed, long numBatches, int rank, int worldSize) {
    long[] beyond =
        yielded.get(contiguous, Math.max(contiguous, yielded.length())).stream()
            .mapToLong(i -> i + (long) contiguous)
            .toArray();
    return new LoaderState(epoch, seed, contiguous, beyond, numBatches, rank, worldSize);
  }
}
