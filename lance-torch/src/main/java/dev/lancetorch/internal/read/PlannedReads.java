package dev.lancetorch.internal.read;

import java.util.Arrays;
import java.util.List;

/**
 * An epoch's planned reads: batches of a permutation announced in the order they will be taken,
 * read ahead once and handed out by their index in that order. The one read-ahead abstraction of
 * the library, whoever consumes it: the workers of a {@code DataLoader} share one per epoch (each
 * takes its batches through its {@code internal.loader.SharedHandle}), and a single handle that
 * announced its next batches ({@code Permutation.planReads}) takes them in order through a {@link
 * Cursor}. Implementations live in the permutation package (they format with a permutation): the
 * read planner's windows ({@code PlannedBatches}, any order, any thread) and one streaming read of
 * consecutive ranges ({@code SequentialReads}, in order only). Made through {@link PlanAccess}.
 *
 * <p>Ownership: owns the batches not taken yet and its reader; {@link #take} hands one over, owned
 * by the caller; {@link #close()} (idempotent, any thread) frees the rest. Thread-safe.
 */
public interface PlannedReads extends AutoCloseable {
  /** A source whose workers can share their reads (the loaders' wrapper of a permutation). */
  interface Source {
    /**
     * A shared read of {@code batches} (the epoch's, in the order the consumer takes them) for
     * {@code workers} workers, owned by the caller; null when the source reads them better per
     * worker, or cannot plan them (then each worker plans its own share on its handle). With {@code
     * after} (another shared read of this source, or null) its first window is read once {@code
     * after} has read its last one, or when first asked.
     */
    PlannedReads share(List<long[]> batches, int workers, PlannedReads after);

    /**
     * What {@link #take} is given to format with for a worker's handle ({@code workerHandle}, one
     * this source reopened): the permutation it reads, or null (the planning handle formats).
     */
    Object planHandle(Object workerHandle);
  }

  /** The planned batches' offsets, in order (not to be modified). */
  List<long[]> batches();

  /**
   * Planned batch {@code index}, formatted by {@code handle} (another handle of the planned
   * permutation that reads the same columns in the same format, as a loader worker holds; null: the
   * planning handle), owned by the caller.
   *
   * @throws IndexOutOfBoundsException if there is no such batch
   * @throws IllegalStateException if it was taken already, or this is closed, or (for a plan read
   *     in order only) it is not the next one
   */
  Object take(int index, Object handle);

  @Override
  void close();

  /**
   * One consumer taking a plan's batches in their order by their offsets (a handle's {@code
   * takeOffsets}): while it asks exactly the next planned batch it gets it from the plan; the first
   * request that differs ends the plan (the caller then closes it and reads the plain way). Owns
   * the plan. Thread-safe.
   */
  final class Cursor implements AutoCloseable {
    private final PlannedReads plan;
    private int asked;

    /** Takes ownership of {@code plan}. */
    public Cursor(PlannedReads plan) {
      this.plan = plan;
    }

    /**
     * The planned batch for {@code offsets} (owned by the caller), or null when they are not the
     * next planned batch (or every batch was asked).
     *
     * @throws IllegalStateException if the plan's read fails or it is closed
     */
    public synchronized Object take(long[] offsets) {
      // one lock for the match and the read: two threads of one handle take in the plan's order
      List<long[]> batches = plan.batches();
      if (asked >= batches.size()) {
        return null;
      }
      long[] want = batches.get(asked);
      if (want != offsets && !Arrays.equals(want, offsets)) {
        return null;
      }
      return plan.take(asked++, null);
    }

    /** Closes the plan (idempotent). */
    @Override
    public void close() {
      plan.close();
    }
  }

  /**
   * The rows of {@code batches}, or -1 unless they are read-plannable: every batch of the first
   * one's size but the last, which is not larger, none empty.
   */
  static long uniformRows(List<long[]> batches) {
    if (batches instanceof BatchRows br) {
      return br.uniformRows() > 0 ? br.totalRows() : -1;
    }
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

  /**
   * True when {@code batches} are consecutive ranges: batch {@code k + 1} starts where batch {@code
   * k} ends, each of the first one's size but the last (not larger), every batch ascending by one.
   */
  static boolean consecutive(List<long[]> batches) {
    if (batches.isEmpty() || uniformRows(batches) < 0) {
      return false;
    }
    long expect = batches.get(0)[0];
    for (long[] b : batches) {
      for (long o : b) {
        if (o != expect++) {
          return false;
        }
      }
    }
    return true;
  }

  /** The rows of {@code batches}, or -1 when one is empty. */
  static long rows(List<long[]> batches) {
    if (batches instanceof BatchRows br) {
      return br.totalRows(); // none empty
    }
    long total = 0;
    for (long[] b : batches) {
      if (b.length == 0) {
        return -1;
      }
      total += b.length;
    }
    return total;
  }
}
