package dev.lancetorch.loader;

import java.util.BitSet;

/** Which batches of the current epoch the consumer has received. Consumer thread writes; snapshots are synchronized. */
final class YieldTracker {
  private final BitSet yielded = new BitSet();
  private int contiguous;

  YieldTracker(LoaderState from) {
    if (from != null) {
      yielded.set(0, (int) from.contiguousYielded());
      for (long b : from.yieldedBeyond()) {
        yielded.set((int) b);
      }
      contiguous = yielded.nextClearBit(0);
    }
  }

  synchronized boolean isYielded(long batch) {
    return yielded.get((int) batch);
  }

  synchronized void markYielded(long batch) {
    yielded.set((int) batch);
    contiguous = yielded.nextClearBit(contiguous);
  }

  synchronized int count() {
    return yielded.cardinality();
  }

  synchronized LoaderState snapshot(int epoch, long seed, long numBatches, int rank, int worldSize) {
    long[] beyond = yielded.get(contiguous, Math.max(contiguous, yielded.length())).stream()
        .mapToLong(i -> i + (long) contiguous).toArray();
    return new LoaderState(epoch, seed, contiguous, beyond, numBatches, rank, worldSize);
  }
}
