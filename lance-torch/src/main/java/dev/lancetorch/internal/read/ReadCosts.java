package dev.lancetorch.internal.read;

/**
 * The read planner's cost model: per fragment of a window, one coalesced Lance take of the wanted
 * rows, or a range scan of the rows covering them with native selection — whichever is cheaper by
 * these estimates: a take of {@code k} sorted random rows costs {@code takeCallNanos + k *
 * takeRowNanos}; a scan of {@code r} contiguous rows of {@code b} bytes each {@code scanCallNanos +
 * r * b * scanByteNanos}. Only the ratios matter, so machine speed cancels out.
 *
 * <p>{@link #DEFAULT}'s constants are fits to lance-core 7.0.0 on the 1M-row, 4-fragment
 * table (4 columns, 20 bytes a row; medians on a 2-core machine, {@code TakeTest}'s timing prints
 * and the measurements): take of 1 row 2.9 ms, 1 024 rows 11 ms, 16 384 rows 29 ms, 65 536
 * rows 86 ms (intercept ≈ 2.5 ms, slope ≈ 1.2 µs per row over 16 k–64 k; small takes cost more per
 * row, which only favours scans); 1 024 contiguous rows 1.4 ms; a full scan of 1M rows 13–15 ms (≈
 * 0.7 ns per byte).
 *
 * <p>Splitting: a fragment's window rows are split into parts (equal ranges of the fragment's row
 * offsets), each sorted and read — by scan or take, decided per part — on its own read thread
 * ({@link ReadThreads}), as long as every part still covers {@code minScanPartRows} rows of the
 * fragment (a scan call costs about as much as scanning 100k rows of 20 bytes, so 64k-row parts
 * keep the call overhead below half) and holds {@code minTakePartRows} wanted rows (a take call's
 * fixed cost equals ~2k taken rows).
 *
 * @param minScanPartRows least fragment rows a part covers
 * @param minTakePartRows least wanted rows a part holds
 */
public record ReadCosts(
    double takeCallNanos,
    double takeRowNanos,
    double scanCallNanos,
    double scanByteNanos,
    long minScanPartRows,
    int minTakePartRows) {
  public static final ReadCosts DEFAULT = new ReadCosts(2.5e6, 1.2e3, 1.4e6, 0.7);

  /** These costs with the default part sizes (64k scanned rows, 4096 taken rows). */
  public ReadCosts(
      double takeCallNanos, double takeRowNanos, double scanCallNanos, double scanByteNanos) {
    this(takeCallNanos, takeRowNanos, scanCallNanos, scanByteNanos, 1 << 16, 4096);
  }

  /** Validates the part sizes. */
  public ReadCosts {
    if (minScanPartRows < 1 || minTakePartRows < 1) {
      throw new IllegalArgumentException("part sizes must be >= 1");
    }
  }

  /** These costs with other part sizes (tests split tiny reads this way). */
  public ReadCosts withParts(long scanPartRows, int takePartRows) {
    return new ReadCosts(
        takeCallNanos, takeRowNanos, scanCallNanos, scanByteNanos, scanPartRows, takePartRows);
  }

  /**
   * True when scanning {@code spanRows} rows of {@code rowBytes} bytes beats taking {@code wanted}
   * of them.
   */
  public boolean scanBeatsTake(long wanted, long spanRows, long rowBytes) {
    double take = takeCallNanos + wanted * takeRowNanos;
    double scan = scanCallNanos + (double) spanRows * Math.max(1, rowBytes) * scanByteNanos;
    return scan < take;
  }
}
