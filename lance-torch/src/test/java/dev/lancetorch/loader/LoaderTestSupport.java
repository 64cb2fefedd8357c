package dev.lancetorch.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Helpers shared by the loader tests. */
final class LoaderTestSupport {
  private LoaderTestSupport() {}

  /** Drains one epoch, closing every batch, returning the batches' ids. */
  static List<long[]> drain(Iterable<InMemorySource.TestBatch> loader) {
    return drain(loader.iterator(), Integer.MAX_VALUE);
  }

  static List<long[]> drain(Iterator<InMemorySource.TestBatch> it, int max) {
    List<long[]> out = new ArrayList<>();
    while (out.size() < max && it.hasNext()) {
      try (InMemorySource.TestBatch b = it.next()) {
        out.add(b.ids);
      }
    }
    return out;
  }

  static List<Long> flat(List<long[]> batches) {
    List<Long> out = new ArrayList<>();
    for (long[] b : batches) {
      for (long v : b) {
        out.add(v);
      }
    }
    return out;
  }

  static List<Long> rows(long n) {
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  static Set<String> loaderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("lancetorch-loader-"))
        .collect(Collectors.toSet());
  }

  /** Waits (bounded, 10 s) until no loader thread is alive, then asserts it. */
  static void assertNoLoaderThreadsEventually() throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!loaderThreads().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(loaderThreads()).isEmpty();
  }

  /**
   * Waits (bounded, 10 s) for the live-batch count to reach 0, then asserts it (closing is async
   * for futures).
   */
  static void assertNoLiveBatchesEventually(InMemorySource src) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (src.shared.liveBatches.get() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(src.shared.liveBatches.get()).as("live batches").isZero();
    assertThat(src.shared.doubleCloses.get()).as("batches closed twice").isZero();
  }
}
