package dev.lancetorch.loader;

import static dev.lancetorch.loader.LoaderTestSupport.assertNoLoaderThreadsEventually;
import static dev.lancetorch.loader.LoaderTestSupport.loaderThreads;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 24 items 9 and 14: loaders dropped without close() are closed by the cleaner (threads and
 * batches back after GC); a close from another thread is an error for the consumer, never a short
 * epoch.
 */
@Timeout(120)
class LoaderLifecycleTest {

  /** Loaders left mid-epoch (prefetch full) or idle (persistent workers), then dropped. */
  @Test
  void droppedLoadersStopTheirThreadsAndCloseTheirBatchesAfterGc() throws Exception {
    assertNoLoaderThreadsEventually();
    InMemorySource src = new InMemorySource(10_000);
    dropLoaders(src);
    assertThat(loaderThreads()).as("threads of the dropped loaders, before GC").isNotEmpty();
    assertThat(src.shared.liveBatches.get()).as("batches before GC").isPositive();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((!loaderThreads().isEmpty() || src.shared.liveBatches.get() != 0)
        && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(50);
    }
    assertThat(loaderThreads()).as("loader threads after GC").isEmpty();
    assertThat(src.shared.liveBatches.get()).as("live batches after GC").isZero();
    assertThat(src.shared.openHandles.get()).as("worker handles after GC").isZero();
    assertThat(src.shared.doubleCloses.get()).isZero();
  }

  /** In its own method so that nothing on the test's stack keeps a loader reachable. */
  private static void dropLoaders(InMemorySource src) {
    for (int i = 0; i < 10; i++) {
      DataLoader<InMemorySource.TestBatch> l =
          DataLoader.builder(src).batchSize(10).numWorkers(2).prefetchFactor(4).build();
      Iterator<InMemorySource.TestBatch> it = l.iterator();
      it.next().close();
      it.hasNext(); // holds one batch for the next next()
    }
    for (int i = 0; i < 5; i++) {
      DataLoader<InMemorySource.TestBatch> l =
          DataLoader.builder(src).batchSize(500).numWorkers(2).persistentWorkers(true).build();
      for (InMemorySource.TestBatch b : l) {
        b.close(); // a whole epoch: the workers then wait, idle, for the next
      }
    }
    for (int i = 0; i < 5; i++) {
      StreamingDataset<InMemorySource.TestBatch> ds =
          StreamingDataset.builder(src).numWorkers(2).numSplits(2).readBatchSize(10).build();
      Iterator<InMemorySource.TestBatch> it = ds.iterator();
      it.next().close();
    }
  }

  @ParameterizedTest(name = "workers={0}")
  @ValueSource(ints = {0, 2})
  void dataLoaderClosedFromAnotherThreadFailsTheConsumer(int workers) throws Exception {
    InMemorySource src = new InMemorySource(1_000);
    src.shared.latencyMicros = o -> 300;
    DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src).batchSize(10).numWorkers(workers).build();
    assertConsumerLearnsOfTheClose(loader, loader::close, "DataLoader was closed");
    assertNoLoaderThreadsEventually();
    LoaderTestSupport.assertNoLiveBatchesEventually(src);
  }

  @Test
  void streamingDatasetClosedFromAnotherThreadFailsTheConsumer() throws Exception {
    InMemorySource src = new InMemorySource(1_000);
    src.shared.latencyMicros = o -> 300;
    StreamingDataset<InMemorySource.TestBatch> ds =
        StreamingDataset.builder(src).numWorkers(2).numSplits(2).readBatchSize(10).build();
    assertConsumerLearnsOfTheClose(ds, ds::close, "StreamingDataset was closed");
    assertNoLoaderThreadsEventually();
    LoaderTestSupport.assertNoLiveBatchesEventually(src);
  }

  /**
   * A consumer iterates one epoch of 100 batches; after 10 of them another thread calls {@code
   * close}: the consumer's loop must end with an IllegalStateException saying so.
   */
  private static void assertConsumerLearnsOfTheClose(
      Iterable<InMemorySource.TestBatch> loader, Runnable close, String message) throws Exception {
    CountDownLatch tenSeen = new CountDownLatch(1);
    AtomicInteger seen = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread consumer =
        new Thread(
            () -> {
              try {
                for (InMemorySource.TestBatch b : loader) {
                  b.close();
                  if (seen.incrementAndGet() == 10) {
                    tenSeen.countDown();
                  }
                  Thread.sleep(2);
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "test-consumer");
    consumer.start();
    assertThat(tenSeen.await(30, TimeUnit.SECONDS)).isTrue();
    close.run();
    consumer.join(30_000);
    assertThat(consumer.isAlive()).isFalse();
    assertThat(seen.get()).as("batches before the close").isLessThan(100);
    assertThat(failure.get())
        .as("what the consumer's loop ended with")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(message)
        .hasMessageContaining("before epoch 0 ended");
  }
}
