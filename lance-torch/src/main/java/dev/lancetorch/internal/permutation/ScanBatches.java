package dev.lancetorch.internal.permutation;

/**
 * The batches of LanceDB's base-table scan that reach its sort ({@link UnshuffledSortOrder}),
 * recorded as the rows stream by in storage order: a batch is a window of {@value
 * UnshuffledSortOrder#SCAN_BATCH_ROWS} physical rows of one fragment; it reaches the sort when at
 * least one of its scanned rows is kept (has a split), with the size of all its scanned rows.
 */
final class ScanBatches {
  private final LongArrayBuilder starts = new LongArrayBuilder();
  private final LongArrayBuilder scanned = new LongArrayBuilder();
  private long window = -1;
  private long windowRows;
  private boolean windowKept;
  private int kept;

  /** One scanned (filtered) row at base address {@code addr}, kept or not. */
  void add(long addr, boolean isKept) {
    long w = addr >>> Integer.numberOfTrailingZeros(UnshuffledSortOrder.SCAN_BATCH_ROWS);
    if (w != window) {
      flush();
      window = w;
      windowRows = 0;
      windowKept = false;
    }
    windowRows++;
    if (isKept) {
      if (!windowKept) {
        windowKept = true;
        starts.add(kept);
      }
      kept++;
    }
  }

  private void flush() {
    if (windowKept) {
      scanned.add(windowRows);
      windowKept = false;
    }
  }

  /** The first kept row of each batch. */
  int[] starts() {
    flush();
    return java.util.Arrays.stream(starts.toArray()).mapToInt(v -> (int) v).toArray();
  }

  /** The scanned rows of each batch. */
  long[] scanned() {
    flush();
    return scanned.toArray();
  }
}
