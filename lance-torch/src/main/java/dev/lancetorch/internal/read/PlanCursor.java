package dev.lancetorch.internal.read;

import java.util.Arrays;
import java.util.List;

/**
 * Where a loader's announced batches stand: the batches in order and how many were asked. Plain
 * data; not thread-safe (its owner synchronizes).
 */
public final class PlanCursor {
  private final List<long[]> batches;
  private int next;

  /** {@code batches}: the announced batches, in order (kept, not copied). */
  public PlanCursor(List<long[]> batches) {
    this.batches = batches;
  }

  /**
   * The rows of {@code batches}, or -1 unless they are read-plannable: every batch of the first
   * one's size but the last, which is not larger, none empty.
   */
  public static long uniformRows(List<long[]> batches) {
    int size = batches.get(0).length;
    long total = 0;
    for (int i = 0; i < batches.size(); i++) {
      int n = batches.get(i).length;
      if (n == 0 || n > size || (n < size && i < batches.size() - 1)) {
        return -1;
      }
      total += n;
    }
    return total;
  }

  /** The rows of {@code batches}, or -1 when one is empty. */
  public static long rows(List<long[]> batches) {
    long total = 0;
    for (long[] b : batches) {
      if (b.length == 0) {
        return -1;
      }
      total += b.length;
    }
    return total;
  }

  /**
   * True, and one batch further, when {@code offsets} are the next announced batch; false (nothing
   * changes) otherwise or when every batch was asked.
   */
  public boolean advance(long[] offsets) {
    if (next >= batches.size()) {
      return false;
    }
    long[] want = batches.get(next);
    if (want != offsets && !Arrays.equals(want, offsets)) {
      return false;
    }
    next++;
    return true;
  }
}
