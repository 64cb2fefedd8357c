package dev.lancetorch.internal.read;

/**
 * One planned read of an epoch's batches shared by the workers of a loader: each window of the read
 * planner read once for all of them, within one read-ahead budget (the permutation package's {@code
 * PlannedBatches}, made through {@link PlanAccess}). Owns the batches not taken yet; {@link
 * #close()} (idempotent, any thread) frees them. Thread-safe.
 */
public interface EpochReads extends AutoCloseable {
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
