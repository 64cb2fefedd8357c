package dev.lancetorch.internal.permutation;

/**
 * Where LanceDB's sort by {@code split_id} puts the rows of an unshuffled sequential split or of
 * "no split" (docs/lancedb-compat.md, "Order inside unshuffled builds"). LanceDB sorts the
 * splitter's output with DataFusion's {@code ExternalSorter} (memory pool 100 MiB, {@code
 * sort_in_place_threshold_bytes} 1 MiB, {@code sort_spill_reservation_bytes} 10 MiB). Its input
 * batches are the base table scan's: per fragment, windows of {@value #SCAN_BATCH_ROWS} physical
 * rows, filtered rows removed (empty ones skipped), each with a {@code split_id} column added; once
 * the last split is full the rest of that batch is sliced off and later batches are dropped.
 *
 * <ul>
 *   <li>One batch, or all batches reserving less than 1 MiB (twice their buffer bytes):
 *       concatenated and sorted at once; already in split order, so storage order.
 *   <li>More, without spilling: every batch is a sorted stream of a {@link TieBreakingMerge}, whose
 *       round-robin tie breaker interleaves equal split ids.
 *   <li>Beyond 100 MiB − 10 MiB reserved (about 2.9M rows) DataFusion spills sorted runs to disk
 *       and merges those: not reproduced ({@link #order} returns null; storage order is kept).
 * </ul>
 */
final class UnshuffledSortOrder {
  /** Rows per batch of the Lance scan LanceDB's builder reads. */
  static final int SCAN_BATCH_ROWS = 1024;

  static final long SORT_IN_PLACE_THRESHOLD = 1L << 20;
  static final long MEMORY_LIMIT = 100L << 20;
  static final long SPILL_RESERVATION = 10L << 20;

  /** Kept rows beyond which the sort spills whatever the batches (32 bytes reserved per row). */
  static final long MAX_MERGED_ROWS = (MEMORY_LIMIT - SPILL_RESERVATION) / 32;

  private UnshuffledSortOrder() {}

  /**
   * The bytes DataFusion reserves to sort one batch of {@code rows} scanned rows: twice the buffer
   * capacity of its {@code _rowid} (Arrow buffers round up to 64 bytes) and {@code split_id}
   * (allocated for exactly {@code rows}) columns.
   */
  static long reserved(long rows) {
    long rowIds = (rows * 8 + 63) / 64 * 64;
    return 2 * (rowIds + rows * 8);
  }

  /** Whether DataFusion would spill sorting these batches (their scanned row counts). */
  static boolean spills(long[] batchScanned) {
    return SPILL_RESERVATION + totalReserved(batchScanned) > MEMORY_LIMIT;
  }

  private static long totalReserved(long[] batchScanned) {
    long reserved = 0;
    for (long rows : batchScanned) {
      reserved += reserved(rows);
    }
    return reserved;
  }

  /**
   * The positions of the kept rows in the order LanceDB stores them, or null when that is storage
   * order (one batch, or under the in-place threshold) or when the sort would spill (not
   * reproduced: storage order is kept).
   *
   * @param keys the split of each kept row, in storage order (non-decreasing)
   * @param batchStart the first kept row of each batch that reaches the sort, in order
   * @param batchScanned the scanned (filtered) rows of each such batch: its buffers' size
   */
  static int[] order(long[] keys, int[] batchStart, long[] batchScanned) {
    int n = batchStart.length;
    long reserved = totalReserved(batchScanned);
    if (n <= 1 || reserved < SORT_IN_PLACE_THRESHOLD || spills(batchScanned)) {
      return null;
    }
    int[] end = new int[n];
    for (int b = 0; b < n; b++) {
      end[b] = b + 1 < n ? batchStart[b + 1] : keys.length;
    }
    return TieBreakingMerge.order(keys, batchStart, end);
  }
}
