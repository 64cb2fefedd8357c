package dev.lancetorch.internal.loader;

import dev.lancetorch.loader.BatchSource;
import dev.lancetorch.loader.MetricsSnapshot;
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

  public MetricsSnapshot snapshot() {
    return new MetricsSnapshot(
        rowsLoaded.sum(),
        bytesLoaded.sum(),
        batchesLoaded.sum(),
        batchesYielded.sum(),
        fetchNanos.sum(),
        transformNanos.sum(),
        waitNanos.sum(),
        Math.max(0, queueDepth.get()),
        rowsSkipped.sum());
  }

  public <B> B timedFetch(BatchSource<B> source, long[] offsets) {
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
