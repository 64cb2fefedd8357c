package dev.lancetorch.internal.loader;

import java.util.List;

/**
 * One read of an epoch's batches shared by all workers of a loader (a permutation's read planner:
 * each window read once for all of them, one read-ahead budget). Owns the batches not taken yet;
 * {@link #close()} (idempotent, any thread) frees them. Thread-safe.
 */
public interface SharedReads extends AutoCloseable {
  /** A source whose workers can share their reads (the loaders' wrapper of a permutation). */
  interface Source {
    /**
     * A shared read of {@code batches} (the epoch's, in the order the consumer takes them) for
     * {@code workers} workers, owned by the caller; null when the source reads them better per
     * worker, or cannot plan them (then each worker plans its own share on its handle). With {@code
     * after} (another shared read of this source, or null) its first window is read once {@code
     * after} has read its last one, or when first asked.
     */
    SharedReads share(List<long[]> batches, int workers, SharedReads after);
  }

  /**
   * Planned batch {@code index}, made by {@code handle} (a worker's own reopened handle of the
   * source), owned by the caller.
   */
  Object take(int index, RowSource<?> handle);

  @Override
  void close();
}
