package dev.lancetorch.internal.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Live counters, written by workers and the consumer, readable from any thread. */
public final class LoaderMetrics {
  final LongAdder rowsLoaded = new LongAdder();
  final LongAdder bytesLoaded = new LongAdder();
  final LongAdder batchesLoaded = new LongAdder();
  public final LongAdder batchesYielded = new LongAdder();
  final LongAdder fetchNanos = new LongAdder();
  public final LongAdder transformNanos = new LongAdder();
  final LongAdder waitNanos = new LongAdder();
  final AtomicInteger queueDepth = new AtomicInteger();
  public final LongAdder rowsSkipped = new LongAdder();
  private final WaitHistogram waits = new WaitHistogram();
  private final WaitHistogram[] workerWaits;

  /**
   * @param workers the loader's worker threads (0: batches loaded in the consumer's thread)
   */
  public LoaderMetrics(int workers) {
    workerWaits = new WaitHistogram[workers];
    for (int w = 0; w < workers; w++) {
      workerWaits[w] = new WaitHistogram();
    }
  }

  /**
   * The consumer waited {@code nanos} for a batch that worker {@code worker} loaded (-1: loaded in
   * the consumer's own thread).
   */
  void waited(int worker, long nanos) {
    waitNanos.add(nanos);
    waits.record(nanos);
    if (worker >= 0 && worker < workerWaits.length) {
      workerWaits[worker].record(nanos);
    }
  }

  /** The consumer's wait percentiles so far, over all workers. */
  public WaitPercentiles waitLatency() {
    return waits.latency();
  }

  /**
   * The counters now (each read on its own, not as one atomic snapshot), for the loaders' public
   * {@code MetricsSnapshot}.
   */
  public Counts counts() {
    List<WaitPercentiles> perWorker = new ArrayList<>(workerWaits.length);
    for (WaitHistogram h : workerWaits) {
      perWorker.add(h.latency());
    }
    return new Counts(
        rowsLoaded.sum(),
        bytesLoaded.sum(),
        batchesLoaded.sum(),
        batchesYielded.sum(),
        fetchNanos.sum(),
        transformNanos.sum(),
        waitNanos.sum(),
        Math.max(0, queueDepth.get()),
        rowsSkipped.sum(),
        waits.latency(),
        List.copyOf(perWorker));
  }

  /** The values of {@link #counts()}; the components of the public {@code MetricsSnapshot}. */
  public record Counts(
      long rowsLoaded,
      long bytesLoaded,
      long batchesLoaded,
      long batchesYielded,
      long fetchNanos,
      long transformNanos,
      long waitNanos,
      int queueDepth,
      long rowsSkipped,
      WaitPercentiles dataWait,
      List<WaitPercentiles> dataWaitPerWorker) {}

  public <B> B timedFetch(RowSource<B> source, long[] offsets) {
    long t0 = System.nanoTime();
    B batch = source.takeOffsets(offsets);
    fetchNanos.add(System.nanoTime() - t0);
    rowsLoaded.add(offsets.length);
    batchesLoaded.increment();
    long bytes = source.sizeInBytes(batch);
    if (bytes > 0) {
      bytesLoaded.add(bytes);
    }
    return batch;
  }
}
