package dev.lancetorch.internal.permutation;

import dev.lancetorch.internal.arrow.FragmentSize;

/**
 * The batches of LanceDB's base-table scan that reach its sort ({@link UnshuffledSortOrder}),
 * recorded as the rows stream by in storage order: a batch is a window of {@value
 * UnshuffledSortOrder#SCAN_BATCH_ROWS} live rows of one fragment (deleted rows do not count;
 * checked against LanceDB), filtered rows removed; it reaches the sort when at least one of its
 * scanned rows is kept (has a split), with the size of all its scanned rows.
 */
final class ScanBatches {
  private static final int SHIFT =
      Integer.numberOfTrailingZeros(UnshuffledSortOrder.SCAN_BATCH_ROWS);
  private final java.util.Map<Integer, long[]> liveOffsets;
  private final LongArrayBuilder starts = new LongArrayBuilder();
  private final LongArrayBuilder scanned = new LongArrayBuilder();
  private long window = -1;
  private long windowRows;
  private boolean windowKept;
  private int kept;

  /**
   * {@code liveOffsets}: per fragment with deleted rows, the physical offsets of its live rows
   * (ascending); other fragments count physical offsets.
   */
  private ScanBatches(java.util.Map<Integer, long[]> liveOffsets) {
    this.liveOffsets = liveOffsets;
  }

  /** For {@code base}: reads the live row addresses of fragments with deletions (one scan). */
  static ScanBatches of(BaseTable base) {
    java.util.Map<Integer, long[]> live = new java.util.HashMap<>();
    java.util.Set<Integer> withDeletions = new java.util.HashSet<>();
    for (FragmentSize f : base.fragments()) {
      if (f.numRows() != f.physicalRows()) {
        withDeletions.add(f.id());
      }
    }
    if (!withDeletions.isEmpty()) {
      java.util.Map<Integer, LongArrayBuilder> b = new java.util.HashMap<>();
      try (RowStream rows = RowStream.open(base, null, null)) {
        while (rows.next()) {
          for (int i = 0; i < rows.size; i++) {
            int frag = (int) (rows.addrs[i] >>> 32);
            if (withDeletions.contains(frag)) {
              b.computeIfAbsent(frag, k -> new LongArrayBuilder()).add(rows.addrs[i] & 0xFFFFFFFFL);
            }
          }
        }
      }
      b.forEach((frag, offsets) -> live.put(frag, offsets.toArray()));
    }
    return new ScanBatches(live);
  }

  /** The scan batch of the row at {@code addr}: fragment and window of its live position. */
  private long window(long addr) {
    int frag = (int) (addr >>> 32);
    long offset = addr & 0xFFFFFFFFL;
    long[] live = liveOffsets.get(frag);
    long position = live == null ? offset : java.util.Arrays.binarySearch(live, offset);
    return ((long) frag << 32) | (position >>> SHIFT);
  }

  /** One scanned (filtered) row at base address {@code addr}, kept or not. */
  void add(long addr, boolean isKept) {
    long w = window(addr);
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
