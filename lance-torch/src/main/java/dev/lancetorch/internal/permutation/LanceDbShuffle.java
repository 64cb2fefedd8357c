package dev.lancetorch.internal.permutation;

/**
 * The row order of LanceDB's {@code Shuffler} ({@code
 * lancedb/src/dataloader/permutation/shuffle.rs}) for a stream of {@code n} rows, as positions:
 * {@code order[i]} is the input position that ends up at output position {@code i}.
 *
 * <p>Clumps are runs of {@code clumpSize} consecutive input rows (the last one shorter). Below
 * {@value #MAX_ROWS_PER_FILE} rows (LanceDB's {@code max_rows_per_file} for permutations, compared
 * with the filtered row count) the clump indexes are shuffled in memory with {@link
 * SmallRng#shuffle}; above, each clump first goes to one of {@code ceil(numRows /
 * MAX_ROWS_PER_FILE)} files at random ({@code random_range(0..files)}), then each file's clumps are
 * shuffled in file order, with the same generator throughout.
 */
public final class LanceDbShuffle {
  static final long MAX_ROWS_PER_FILE = 10L * 1024 * 1024;

  private LanceDbShuffle() {}

  /**
   * Positions {@code 0..n-1} in the order LanceDB's shuffler with {@code seed} leaves them; {@code
   * numRows} is the row count LanceDB compares with {@link #MAX_ROWS_PER_FILE} (the filtered table
   * size).
   */
  public static int[] order(int n, int clumpSize, long seed, long numRows) {
    SmallRng rng = SmallRng.seedFromU64(seed);
    int[] positions = new int[n];
    for (int i = 0; i < n; i++) {
      positions[i] = i;
    }
    if (numRows < MAX_ROWS_PER_FILE) {
      return shuffleBatch(positions, n, clumpSize, rng);
    }
    long files = (numRows + MAX_ROWS_PER_FILE - 1) / MAX_ROWS_PER_FILE;
    int[][] perFile = new int[(int) files][];
    int[] fill = new int[(int) files];
    int clumps = (int) ((n + (long) clumpSize - 1) / clumpSize);
    int[] fileOf = new int[clumps];
    for (int c = 0; c < clumps; c++) {
      int f = (int) rng.rangeU64(files);
      fileOf[c] = f;
      fill[f] += (int) Math.min(clumpSize, n - (long) c * clumpSize);
    }
    for (int f = 0; f < files; f++) {
      perFile[f] = new int[fill[f]];
      fill[f] = 0;
    }
    for (int c = 0; c < clumps; c++) {
      int f = fileOf[c];
      int from = c * clumpSize;
      int to = (int) Math.min(n, (long) from + clumpSize);
      for (int p = from; p < to; p++) {
        perFile[f][fill[f]++] = p;
      }
    }
    int[] out = new int[n];
    int at = 0;
    for (int f = 0; f < files; f++) {
      int[] part = shuffleBatch(perFile[f], perFile[f].length, clumpSize, rng);
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  /** {@code Shuffler::shuffle_batch}: shuffles clump indexes of {@code rows} and expands them. */
  private static int[] shuffleBatch(int[] rows, int n, int clumpSize, SmallRng rng) {
    long numClumps = (n + (long) clumpSize - 1) / clumpSize;
    long[] clumps = new long[(int) numClumps];
    for (int i = 0; i < clumps.length; i++) {
      clumps[i] = i;
    }
    rng.shuffle(clumps);
    int[] out = new int[n];
    int at = 0;
    for (long c : clumps) {
      long from = c * clumpSize;
      long to = c == numClumps - 1 ? n : from + clumpSize;
      for (long p = from; p < to; p++) {
        out[at++] = rows[(int) p];
      }
    }
    return out;
  }
}
