package dev.lancetorch.internal.read;

import java.util.List;

/**
 * One planned read of an epoch's batches shared by the workers of a loader: each window of the read
 * planner read once for all of them, within one read-ahead budget (the permutation package's {@code
 * PlannedBatches}, made through {@link PlanAccess}). Owns the batches not taken yet; {@link
 * #close()} (idempotent, any thread) frees them. Thread-safe.
 */
public interface EpochReads extends AutoCloseable {
  /** A source whose workers can share their reads (the loaders' wrapper of a permutation). */
  interface Source {
    /**
     * A shared read of {@code batches} (the epoch's, in the order the consumer takes them) for
     * {@code workers} workers, owned by the caller; null when the source reads them better per
     * worker, or cannot plan them (then each worker plans its own share on its handle). With {@code
     * after} (another shared read of this source, or null) its first window is read once {@code
     * after} has read its last one, or when first asked.
     */
    EpochReads share(List<long[]> batches, int workers, EpochReads after);

    /**
     * What {@link #take} is given to format with for a worker's handle ({@code workerHandle}, one
     * this source reopened): the permutation it reads, or null (the planning handle formats).
     */
    Object planHandle(Object workerHandle);
  }

  /**
   * Planned batch {@code index}, formatted by {@code handle} (another handle of the planned
   * permutation that reads the same columns in the same format, as a loader worker holds; null: the
   * planning handle), owned by the caller.
   *
   * @throws IndexOutOfBoundsException if there is no such batch
   * @throws IllegalStateException if it was taken already, or this is closed
   */
  Object take(int index, Object handle);

  @Override
  void close();
}
