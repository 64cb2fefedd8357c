package dev.lancetorch.loader;

import static dev.lancetorch.loader.LoaderTestSupport.drain;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LoaderMetricsTest {

  @Test
  void countsRowsBytesBatchesAndTimes() {
    InMemorySource src = new InMemorySource(95);
    src.shared.latencyMicros = o -> 1000;
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src).batchSize(10).numWorkers(2).build()) {
      drain(loader);
      MetricsSnapshot m = loader.metrics();
      assertThat(m.rowsLoaded()).isEqualTo(95);
      assertThat(m.bytesLoaded()).isEqualTo(95 * 8);
      assertThat(m.batchesLoaded()).isEqualTo(10);
      assertThat(m.batchesYielded()).isEqualTo(10);
      assertThat(m.fetchNanos()).isGreaterThanOrEqualTo(10 * 1_000_000L);
      assertThat(m.waitNanos()).isPositive();
      assertThat(m.transformNanos()).isNotNegative();
      assertThat(m.queueDepth()).isZero();
      assertThat(m.rowsSkipped()).isZero();
      drain(loader);
      assertThat(loader.metrics().rowsLoaded()).isEqualTo(190);
    }
  }

  /**
   * Issue 24 item 21: the data-wait percentiles, overall and per worker, with the rank: worker 1's
   * batches take 20 ms to load, worker 0's none, so the loop waits on worker 1 only.
   */
  @Test
  void dataWaitPercentilesPerWorkerAndRank() {
    InMemorySource src = new InMemorySource(200);
    // rank 1 of 2 gets the odd rows; its batch b (rows 20b+1, 20b+3, ...) is loaded by worker b % 2
    src.shared.latencyMicros = o -> (o[0] / 20) % 2 == 1 ? 20_000 : 0;
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src).batchSize(10).numWorkers(2).distributed(1, 2).build()) {
      assertThat(loader.metrics().dataWait()).isEqualTo(WaitLatency.NONE);
      assertThat(drain(loader)).hasSize(10);
      MetricsSnapshot m = loader.metrics();
      assertThat(m.rank()).isEqualTo(1);
      assertThat(m.dataWait().count()).isEqualTo(10);
      assertThat(m.dataWaitPerWorker()).hasSize(2);
      WaitLatency fast = m.dataWaitPerWorker().get(0);
      WaitLatency slow = m.dataWaitPerWorker().get(1);
      assertThat(fast.count()).isEqualTo(5);
      assertThat(slow.count()).isEqualTo(5);
      assertThat(slow.p50Nanos()).as(slow.toString()).isGreaterThan(5_000_000L);
      assertThat(fast.p50Nanos()).as(fast.toString()).isLessThan(slow.p50Nanos() / 2);
      assertThat(m.dataWait().p99Nanos()).isGreaterThanOrEqualTo(slow.p50Nanos());
      assertThat(m.dataWait().maxNanos()).isGreaterThanOrEqualTo(m.dataWait().p99Nanos());
      assertThat(m.waitNanos()).isGreaterThanOrEqualTo(5 * slow.p50Nanos() / 2);
    }
    // 0 workers: the loop loads each batch itself, all of it is waiting; no per-worker entries
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(new InMemorySource(50)).batchSize(10).build()) {
      drain(loader);
      assertThat(loader.metrics().dataWait().count()).isEqualTo(5);
      assertThat(loader.metrics().dataWaitPerWorker()).isEmpty();
    }
  }

  /**
   * Another thread reads the counters while the consumer trains: values only grow, end at the
   * totals.
   */
  @Test
  void metricsAreReadableFromAnotherThreadWhileLoading() throws Exception {
    InMemorySource src = new InMemorySource(2000);
    src.shared.latencyMicros = o -> 200;
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<String> problem =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger reads =
        new java.util.concurrent.atomic.AtomicInteger();
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src).batchSize(10).numWorkers(2).build()) {
      Thread reader =
          new Thread(
              () -> {
                long lastRows = 0;
                long lastYielded = 0;
                while (!done.get()) {
                  MetricsSnapshot m = loader.metrics();
                  if (m.rowsLoaded() < lastRows
                      || m.batchesYielded() < lastYielded
                      || m.queueDepth() > 4) {
                    problem.set(m.toString());
                  }
                  lastRows = m.rowsLoaded();
                  lastYielded = m.batchesYielded();
                  reads.incrementAndGet();
                }
              });
      reader.start();
      drain(loader);
      done.set(true);
      reader.join(5000);
      assertThat(problem.get()).isNull();
      assertThat(reads.get()).isPositive();
      assertThat(loader.metrics().rowsLoaded()).isEqualTo(2000);
    }
  }

  @Test
  void progressListenerSeesEveryBatchAndTheExtraText() {
    List<String> events = new ArrayList<>();
    AtomicReference<DataLoader<InMemorySource.TestBatch>> ref = new AtomicReference<>();
    ProgressListener l =
        new ProgressListener() {
          @Override
          public void onEpochStart(int epoch, long totalBatches, long alreadyDone) {
            events.add("start " + epoch + " " + totalBatches + " " + alreadyDone);
          }

          @Override
          public void onBatch(
              long batchesDone, long rowsYielded, double rowsPerSecond, String extra) {
            events.add(batchesDone + " " + rowsYielded + " " + extra);
            ref.get().setProgressExtra("loss " + batchesDone);
          }

          @Override
          public void onEpochEnd() {
            events.add("end");
          }
        };
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(new InMemorySource(25))
            .batchSize(10)
            .numWorkers(1)
            .progressListener(l)
            .build()) {
      ref.set(loader);
      drain(loader);
    }
    assertThat(events).containsExactly("start 0 3 0", "1 10 ", "2 20 loss 1", "3 25 loss 2", "end");
  }

  @Test
  void progressBarRuns() {
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(new InMemorySource(25)).batchSize(10).progressBar("test").build()) {
      loader.setProgressExtra("loss 1.0");
      assertThat(drain(loader)).hasSize(3);
    }
  }
}
