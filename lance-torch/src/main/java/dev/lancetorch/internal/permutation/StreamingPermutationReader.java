package dev.lancetorch.internal.permutation;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.UInt8Vector;

/**
 * Writes a permutation table without holding it: rows stream from the base table in storage order,
 * each gets its split on the fly ({@link SplitAssigner} or the per-row split of a hash/calculated
 * split), and leaves as {@code (row_id, split_id)} batches. Memory: one chunk, whatever the table
 * size. Used when nothing is shuffled (each split's rows then stay in storage order, the splits
 * interleaved as they come).
 */
public final class StreamingPermutationReader extends PermutationRowsReader {
  private final RowStream rows;
  private final SplitAssigner assigner;
  private final boolean perRow;

  public StreamingPermutationReader(
      BufferAllocator allocator, BaseTable base, String filter, SplitSpec split) {
    super(
        allocator, split == null ? null : split.names(), SplitSpec.declared(split), base.version());
    this.assigner = SplitAssigner.of(base, filter, split);
    this.perRow = split instanceof SplitSpec.Hash || split instanceof SplitSpec.Calculated;
    this.rows = RowStream.open(base, filter, split);
  }

  /**
   * True when {@code split} and {@code shuffle} can be written by streaming in storage order: no
   * shuffle and no random split (a random split shuffles every row first, as LanceDB does), and for
   * sequential splits and "no split" only when LanceDB's sort by split id would spill (more than
   * {@link UnshuffledSortOrder#MAX_MERGED_ROWS} rows kept) or the scan exceeds {@code maxRows}:
   * otherwise LanceDB's merge interleaves the scan batches, which {@link PermutationPlan}
   * reproduces in memory.
   */
  public static boolean canStream(
      BaseTable base, String filter, SplitSpec split, ShuffleSpec shuffle, long maxRows) {
    if (shuffle != null || split instanceof SplitSpec.Random) {
      return false;
    }
    if (!PermutationPlan.sortsScanBatches(split, null)) {
      return true;
    }
    long n = SplitAssigner.count(base, filter);
    long kept =
        split == null
            ? n
            : java.util.Arrays.stream(((SplitSpec.Sequential) split).sizes().sizes(n)).sum();
    return kept > UnshuffledSortOrder.MAX_MERGED_ROWS || n > maxRows;
  }

  @Override
  int fill(UInt8Vector ids, UInt8Vector splits) {
    while (rows.next()) {
      ids.allocateNew(rows.size);
      splits.allocateNew(rows.size);
      int n = 0;
      for (int i = 0; i < rows.size; i++) {
        int k = assigner != null ? assigner.next() : perRow ? rows.splits[i] : 0;
        if (k >= 0) {
          ids.set(n, rows.addrs[i]);
          splits.set(n, k);
          n++;
        }
      }
      if (n > 0) {
        return n;
      }
    }
    return 0;
  }

  @Override
  protected void closeReadSource() {
    rows.close();
  }
}
