package dev.lancetorch.internal.loader;

import dev.lancetorch.internal.permutation.LanceDbShuffle;
import java.util.ArrayList;
import java.util.List;

/**
 * The deterministic geometry of a {@code StreamingDataset} epoch, LanceDB's ({@code
 * lancedb/streaming.py}): a function of (numRows, numSplits, shuffle, shuffleSeed, clumpSize,
 * epoch) only — never of the world size.
 *
 * <ul>
 *   <li>every split has {@code L = numRows / numSplits} rows; the surplus (fewer than numSplits
 *       rows) is dropped so that every split, and so every rank, has the same length;
 *   <li>with shuffle, the splits are LanceDB's {@code split_random(fixed=numSplits,
 *       seed=shuffleSeed + epoch·100003, clump_size)}: the rows (or clumps of {@code clumpSize})
 *       shuffled exactly as LanceDB's builder does ({@link LanceDbShuffle}), split s = positions
 *       {@code [s·L, (s+1)·L)} of that order; without shuffle, split s = rows {@code [s·L,
 *       (s+1)·L)} in storage order ({@code split_sequential(fixed=numSplits)}).
 * </ul>
 *
 * Rank r of W reads the r-th contiguous block of S/W splits; worker w of K of that rank reads the
 * w-th contiguous sub-block of S/(W·K) of them, as LanceDB.
 */
public final class SplitLayout {
  /**
   * LanceDB's {@code _EPOCH_PRIME}: the split seed of epoch e is {@code shuffleSeed + e * 100003}.
   */
  static final long EPOCH_PRIME = 100003;

  public final long numRows;
  public final int numSplits;
  private final boolean shuffle;
  private final long seed;
  private final int clumpSize;
  // the global orders of the last two epochs asked (the one running and the next, planned ahead)
  private final int[] cachedEpochs = {-1, -1};
  private final int[][] cachedOrders = new int[2][];

  /**
   * LanceDB's split layout materializes one epoch's order (as its builder does): the most rows a
   * streaming dataset takes, shuffled or not.
   */
  public static final long MAX_ROWS = Integer.MAX_VALUE - 8;

  /**
   * @throws IllegalArgumentException for more than {@link #MAX_ROWS} rows
   */
  public SplitLayout(long numRows, int numSplits, boolean shuffle, long seed, int clumpSize) {
    if (numRows > MAX_ROWS) {
      throw new IllegalArgumentException(
          "a StreamingDataset over "
              + numRows
              + " rows: LanceDB's split layout holds an epoch's order in one array (at most "
              + MAX_ROWS
              + " rows); read larger sources with a DataLoader (Sampler.random() plans any size"
              + " in constant memory)");
    }
    this.numRows = numRows;
    this.numSplits = numSplits;
    this.shuffle = shuffle;
    this.seed = seed;
    this.clumpSize = clumpSize;
  }

  /** Rows of every split. */
  public long splitLength() {
    return numRows / numSplits;
  }

  int[] splitOrder(int epoch) {
    int[] out = new int[numSplits];
    for (int i = 0; i < numSplits; i++) {
      out[i] = i;
    }
    return out;
  }

  private synchronized int[] order(int epoch) {
    for (int i = 0; i < 2; i++) {
      if (cachedEpochs[i] == epoch) {
        return cachedOrders[i];
      }
    }
    int[] order =
        LanceDbShuffle.order(
            Math.toIntExact(numRows), clumpSize, seed + epoch * EPOCH_PRIME, numRows);
    cachedEpochs[1] = cachedEpochs[0];
    cachedOrders[1] = cachedOrders[0];
    cachedEpochs[0] = epoch;
    cachedOrders[0] = order;
    return order;
  }

  public long[] rowsOf(int split, int epoch) {
    long len = splitLength();
    long start = split * len;
    long[] out = new long[Math.toIntExact(len)];
    if (!shuffle) {
      for (int k = 0; k < out.length; k++) {
        out[k] = start + k;
      }
      return out;
    }
    int[] order = order(epoch);
    for (int k = 0; k < out.length; k++) {
      out[k] = order[(int) start + k];
    }
    return out;
  }

  /** The splits worker {@code worker} of rank {@code rank} reads, in order. */
  public List<Integer> splitsOf(int epoch, int rank, int worldSize, int worker, int numWorkers) {
    int[] order = splitOrder(epoch);
    int perRank = numSplits / worldSize;
    int perWorker = perRank / numWorkers;
    List<Integer> out = new ArrayList<>();
    for (int j = worker * perWorker; j < (worker + 1) * perWorker; j++) {
      out.add(order[rank * perRank + j]);
    }
    return out;
  }

  /** The splits rank {@code rank} reads. */
  public List<Integer> splitsOfRank(int epoch, int rank, int worldSize) {
    return splitsOf(epoch, rank, worldSize, 0, 1);
  }

  /**
   * The canonical global sequence: each split's row order, splits in order ({@code numSplits × L}
   * rows).
   */
  public long[] globalOrder(int epoch) {
    long[] out = new long[Math.toIntExact(splitLength() * numSplits)];
    int k = 0;
    for (int s : splitOrder(epoch)) {
      for (long r : rowsOf(s, epoch)) {
        out[k++] = r;
      }
    }
    return out;
  }
}
