package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.LoaderMetrics;

/**
 * A point-in-time copy of a loader's counters, cumulative since the loader was built.
 *
 * @param rowsLoaded rows fetched from the source by workers
 * @param bytesLoaded bytes of fetched batches (sum of {@link BatchSource#sizeInBytes}; unknown
 *     sizes count 0)
 * @param batchesLoaded batches fetched from the source
 * @param batchesYielded batches handed to the consumer
 * @param fetchNanos time spent in {@link BatchSource#takeOffsets} summed over workers
 * @param transformNanos time spent in collate / transform summed over threads
 * @param waitNanos time the consumer spent waiting for the next batch
 * @param queueDepth batches ready (fetched and waiting for the consumer) right now
 * @param rowsSkipped rows dropped by a transform-error policy
 * @param rank the rank of the loader (0 when not distributed): in a distributed run each rank's
 *     snapshot is its own, to gather per rank
 * @param dataWait percentiles of the time the training loop waited per batch ({@code
 *     hasNext()}/{@code next()} until the batch was ready), over all workers
 * @param dataWaitPerWorker the same per worker that loaded the batch waited for (index = worker;
 *     empty with 0 workers, where every wait is the load in the consumer's thread)
 */
public record MetricsSnapshot(
    long rowsLoaded,
    long bytesLoaded,
    long batchesLoaded,
    long batchesYielded,
    long fetchNanos,
    long transformNanos,
    long waitNanos,
    int queueDepth,
    long rowsSkipped,
    int rank,
    WaitLatency dataWait,
    java.util.List<WaitLatency> dataWaitPerWorker) {
  /** The snapshot of a loader's counters. */
  static MetricsSnapshot of(LoaderMetrics.Counts c, int rank) {
    return new MetricsSnapshot(
        c.rowsLoaded(),
        c.bytesLoaded(),
        c.batchesLoaded(),
        c.batchesYielded(),
        c.fetchNanos(),
        c.transformNanos(),
        c.waitNanos(),
        c.queueDepth(),
        c.rowsSkipped(),
        rank,
        WaitLatency.of(c.dataWait()),
        c.dataWaitPerWorker().stream().map(WaitLatency::of).toList());
  }
}
