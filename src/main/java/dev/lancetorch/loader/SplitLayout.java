package dev.lancetorch.loader;

import java.util.ArrayList;
import java.util.List;

/**
 * The deterministic geometry of a {@link StreamingDataset} epoch, a function of
 * (numRows, numSplits, shuffle, shuffleSeed, clumpSize, epoch) only — never of the world size:
 * <ul>
 *   <li>split s holds rows {@code [s·N/S, (s+1)·N/S)};
 *   <li>the split order is a permutation of the splits from (seed, epoch);
 *   <li>a split's row order: its rows cut into clumps of {@code clumpSize} consecutive rows (from the
 *       split's first row), the clumps in an order from (seed, epoch, split), rows ascending inside a clump.
 * </ul>
 * Rank r of W reads the r-th contiguous block of S/W splits of the split order; worker w of K of that rank
 * reads the block's splits j with {@code j % K == w}, in block order.
 */
final class SplitLayout {
  final long numRows;
  final int numSplits;
  private final boolean shuffle;
  private final long seed;
  private final int clumpSize;

  SplitLayout(long numRows, int numSplits, boolean shuffle, long seed, int clumpSize) {
    this.numRows = numRows;
    this.numSplits = numSplits;
    this.shuffle = shuffle;
    this.seed = seed;
    this.clumpSize = clumpSize;
  }

  long splitStart(int s) {
    return Math.multiplyExact(s, numRows) / numSplits;
  }

  int[] splitOrder(int epoch) {
    long[] order = Seeds.range(0, numSplits);
    if (shuffle) {
      Seeds.shuffle(order, Seeds.mix(seed, epoch));
    }
    int[] out = new int[numSplits];
    for (int i = 0; i < numSplits; i++) {
      out[i] = (int) order[i];
    }
    return out;
  }

  long[] rowsOf(int split, int epoch) {
    long start = splitStart(split);
    long end = splitStart(split + 1);
    if (!shuffle) {
      return Seeds.range(start, end);
    }
    long n = end - start;
    long numClumps = (n + clumpSize - 1) / clumpSize;
    long[] clumps = Seeds.range(0, numClumps);
    Seeds.shuffle(clumps, Seeds.mix(seed, epoch, split));
    long[] out = new long[(int) n];
    int k = 0;
    for (long c : clumps) {
      for (long r = start + c * clumpSize; r < Math.min(end, start + (c + 1) * clumpSize); r++) {
        out[k++] = r;
      }
    }
    return out;
  }

  /** The splits worker {@code worker} of rank {@code rank} reads, in order. */
  List<Integer> splitsOf(int epoch, int rank, int worldSize, int worker, int numWorkers) {
    int[] order = splitOrder(epoch);
    int perRank = numSplits / worldSize;
    List<Integer> out = new ArrayList<>();
    for (int j = 0; j < perRank; j++) {
      if (j % numWorkers == worker) {
        out.add(order[rank * perRank + j]);
      }
    }
    return out;
  }

  /** The splits rank {@code rank} reads. */
  List<Integer> splitsOfRank(int epoch, int rank, int worldSize) {
    return splitsOf(epoch, rank, worldSize, 0, 1);
  }

  /** The canonical global sequence: each split's row order, splits in split order. */
  long[] globalOrder(int epoch) {
    long[] out = new long[(int) numRows];
    int k = 0;
    for (int s : splitOrder(epoch)) {
      for (long r : rowsOf(s, epoch)) {
        out[k++] = r;
      }
    }
    return out;
  }
}
