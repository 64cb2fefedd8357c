package dev.lancetorch.loader;

import static dev.lancetorch.loader.LoaderTestSupport.assertNoLiveBatchesEventually;
import static dev.lancetorch.loader.LoaderTestSupport.assertNoLoaderThreadsEventually;
import static dev.lancetorch.loader.LoaderTestSupport.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class DataLoaderShutdownTest {

  @ParameterizedTest(name = "persistentWorkers={0}")
  @ValueSource(booleans = {false, true})
  void closeMidEpochStopsWorkersAndClosesEveryBatchInFlight(boolean persistent) throws Exception {
    InMemorySource src = new InMemorySource(10_000);
    src.shared.latencyMicros = o -> 500;
    java.util.Set<String> before = LoaderTestSupport.loaderThreads();
    DataLoader<InMemorySource.TestBatch> loader =
        tenRowBatches(src, 4).prefetchFactor(3).persistentWorkers(persistent).build();
    Iterator<InMemorySource.TestBatch> it = loader.iterator();
    InMemorySource.TestBatch kept = it.next(); // the caller's: the loader must not close it
    drain(it, 5);
    java.util.Set<String> mine = new java.util.HashSet<>(LoaderTestSupport.loaderThreads());
    mine.removeAll(before);
    assertThat(mine).hasSize(4).allMatch(n -> n.matches("lancetorch-loader-\\d+-worker-[0-3]"));
    loader.close();
    assertNoLoaderThreadsEventually();
    assertThat(src.shared.liveBatches.get()).isEqualTo(1);
    kept.close();
    assertNoLiveBatchesEventually(src);
    assertThat(src.shared.reopens.get()).isEqualTo(4);
    assertThat(src.shared.openHandles.get()).isZero();
    assertThat(src.shared.fetches.get()).isLessThan(1000);
  }

  /**
   * A consumer that does not consume: workers stop at workers × prefetch loaded batches (+1 held by
   * hasNext).
   */
  @Test
  void prefetchIsBounded() throws Exception {
    InMemorySource src = new InMemorySource(10_000);
    try (DataLoader<InMemorySource.TestBatch> loader =
        tenRowBatches(src, 2).prefetchFactor(3).build()) {
      Iterator<InMemorySource.TestBatch> it = loader.iterator();
      assertThat(it.hasNext()).isTrue();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (src.shared.fetches.get() < 7 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      Thread.sleep(300); // give workers the chance to overrun the bound (none must)
      assertThat(src.shared.fetches.get()).isEqualTo(7);
      assertThat(src.shared.liveBatches.get()).isEqualTo(7);
      assertThat(loader.metrics().queueDepth()).isEqualTo(6);
    }
    assertNoLiveBatchesEventually(src);
  }

  @Test
  void abandonedIteratorsAreCleanedUpByTheNextIteratorAndClose() throws Exception {
    InMemorySource src = new InMemorySource(1000);
    try (DataLoader<InMemorySource.TestBatch> loader =
        tenRowBatches(src, 2).prefetchFactor(4).persistentWorkers(true).build()) {
      drain(loader.iterator(), 2);
      drain(loader.iterator(), 3); // abandons the first
      drain(loader.iterator(), 1);
      assertThat(src.shared.reopens.get()).isEqualTo(2); // persistent: handles kept across epochs
    }
    assertNoLoaderThreadsEventually();
    assertNoLiveBatchesEventually(src);
    assertThat(src.shared.openHandles.get()).isZero();
  }

  @Test
  void closeFromAnotherThreadWakesABlockedConsumer() throws Exception {
    InMemorySource src = new InMemorySource(100);
    CountDownLatch gate = new CountDownLatch(1);
    src.shared.gate = gate;
    DataLoader<InMemorySource.TestBatch> loader = tenRowBatches(src, 2).build();
    Iterator<InMemorySource.TestBatch> it = loader.iterator();
    java.util.concurrent.atomic.AtomicReference<Thread> consumerThread =
        new java.util.concurrent.atomic.AtomicReference<>();
    CompletableFuture<Throwable> consumer =
        CompletableFuture.supplyAsync(
            () -> {
              consumerThread.set(Thread.currentThread());
              return catchThrowable(it::hasNext);
            });
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!waitingForABatch(consumerThread.get()) && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // until the consumer is parked inside the loader, waiting for a batch
    }
    assertThat(waitingForABatch(consumerThread.get())).isTrue();
    CompletableFuture<Void> closer = CompletableFuture.runAsync(loader::close);
    Throwable t = consumer.get(10, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    gate.countDown(); // the fetches in progress finish; their batches are closed by the loader
    closer.get(10, TimeUnit.SECONDS);
    assertNoLoaderThreadsEventually();
    assertNoLiveBatchesEventually(src);
    assertThat(src.shared.openHandles.get()).isZero();
  }

  private static boolean waitingForABatch(Thread t) {
    return t != null
        && java.util.Arrays.stream(t.getStackTrace())
            .anyMatch(
                f ->
                    f.getClassName().endsWith("EpochRun") && f.getMethodName().equals("pollReady"));
  }

  @ParameterizedTest(name = "workers={0}")
  @ValueSource(ints = {0, 1, 3})
  void workerExceptionReachesTheCallerWithCauseAndPosition(int workers) throws Exception {
    InMemorySource src = new InMemorySource(100);
    src.shared.failWhen = o -> o[0] == 50;
    try (DataLoader<InMemorySource.TestBatch> loader = tenRowBatches(src, workers).build()) {
      Iterator<InMemorySource.TestBatch> it = loader.iterator();
      assertThat(drain(it, 5)).hasSize(5);
      Throwable t = catchThrowable(it::next);
      assertThat(t)
          .isInstanceOf(DataLoaderException.class)
          .hasMessageContaining("epoch 0, batch 5");
      assertThat(t.getCause())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("injected failure");
      BatchPosition pos = ((DataLoaderException) t).position();
      assertThat(pos).isEqualTo(new BatchPosition(0, 5, 50, 59, -1));
      assertThat(it.hasNext()).isFalse();
      assertThat(loader.state().batchesYielded()).isEqualTo(5);
    }
    assertNoLoaderThreadsEventually();
    assertNoLiveBatchesEventually(src);
    assertThat(src.shared.openHandles.get()).isZero();
  }

  @Test
  void collateExceptionReachesTheCallerAndCollateOwnsItsInput() throws Exception {
    InMemorySource src = new InMemorySource(100);
    try (DataLoader<Integer> loader =
        tenRowBatches(src, 2)
            .collate(
                b -> {
                  try (b) {
                    if (b.ids[0] == 30) {
                      throw new ArithmeticException("collate failed");
                    }
                    return b.ids.length;
                  }
                })
            .build()) {
      Iterator<Integer> it = loader.iterator();
      assertThat(it.next()).isEqualTo(10);
      assertThat(it.next()).isEqualTo(10);
      assertThat(it.next()).isEqualTo(10);
      Throwable t = catchThrowable(it::next);
      assertThat(t)
          .isInstanceOf(DataLoaderException.class)
          .hasCauseInstanceOf(ArithmeticException.class);
      assertThat(((DataLoaderException) t).position().batchIndex()).isEqualTo(3);
    }
    assertNoLoaderThreadsEventually();
    assertNoLiveBatchesEventually(src);
  }

  @Test
  void workerInitFailureReachesTheCaller() throws Exception {
    InMemorySource src = new InMemorySource(100);
    try (DataLoader<InMemorySource.TestBatch> loader =
        tenRowBatches(src, 2)
            .workerInit(
                (id, seed) -> {
                  throw new IllegalArgumentException("bad init " + id);
                })
            .build()) {
      assertThatThrownBy(() -> loader.iterator().next())
          .isInstanceOf(DataLoaderException.class)
          .hasRootCauseMessage("bad init 0");
    }
    assertNoLoaderThreadsEventually();
    assertThat(src.shared.openHandles.get()).isZero();
  }

  @Test
  void timeoutFiresNamingTheBatch() throws Exception {
    InMemorySource src = new InMemorySource(100);
    CountDownLatch gate = new CountDownLatch(1);
    DataLoader<InMemorySource.TestBatch> loader =
        tenRowBatches(src, 2).prefetchFactor(1).timeout(Duration.ofMillis(200)).build();
    try {
      Iterator<InMemorySource.TestBatch> it = loader.iterator();
      assertThat(drain(it, 2)).hasSize(2);
      src.shared.gate = gate; // fetches from now on hang (batches 2 and 3 may already be loaded)
      long t0 = System.nanoTime();
      Throwable t = catchThrowable(() -> drain(it, 10));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(t)
          .isInstanceOf(DataLoaderException.class)
          .hasMessageContaining("timeout")
          .hasCauseInstanceOf(TimeoutException.class);
      assertThat(((DataLoaderException) t).position().batchIndex()).isBetween(2L, 4L);
      assertThat(t.getCause())
          .hasMessageContaining("batch " + ((DataLoaderException) t).position().batchIndex());
      assertThat(ms).isBetween(150L, 5_000L);
    } finally {
      gate.countDown();
      loader.close();
    }
    assertNoLoaderThreadsEventually();
    assertNoLiveBatchesEventually(src);
  }

  @Test
  void workerInitRunsOncePerWorkerWithItsSeed() throws Exception {
    InMemorySource src = new InMemorySource(100);
    java.util.Set<String> calls = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (DataLoader<InMemorySource.TestBatch> loader =
        tenRowBatches(src, 3)
            .seed(100)
            .persistentWorkers(true)
            .workerInit((id, seed) -> calls.add(id + "/" + seed))
            .build()) {
      drain(loader);
      drain(loader);
    }
    assertThat(calls).containsExactlyInAnyOrder("0/100", "1/101", "2/102");
    assertNoLoaderThreadsEventually();
  }

  /** A builder of 10-row batches over {@code src} in {@code workers} workers. */
  private static DataLoader.Builder<InMemorySource.TestBatch, InMemorySource.TestBatch>
      tenRowBatches(InMemorySource src, int workers) {
    return DataLoader.builder(src).batchSize(10).numWorkers(workers);
  }
}
