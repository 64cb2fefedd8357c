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
