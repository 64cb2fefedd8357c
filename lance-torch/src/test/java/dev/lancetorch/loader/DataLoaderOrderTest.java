package dev.lancetorch.loader;

import static dev.lancetorch.loader.LoaderTestSupport.drain;
import static dev.lancetorch.loader.LoaderTestSupport.flat;
import static dev.lancetorch.loader.LoaderTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DataLoaderOrderTest {

  private static List<Long> epochOrder(long seed, int epoch, int workers) {
    InMemorySource src = new InMemorySource(200);
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src).batchSize(8).shuffle(true).seed(seed).numWorkers(workers).build()) {
      loader.setEpoch(epoch);
      return flat(drain(loader));
    }
  }

  @Test
  void epochsDifferAndSameSeedAndEpochRepeat() {
    assertThat(epochOrder(1, 0, 0)).isNotEqualTo(epochOrder(1, 1, 0));
    assertThat(epochOrder(1, 0, 0)).isNotEqualTo(epochOrder(2, 0, 0));
    assertThat(epochOrder(1, 3, 0)).isEqualTo(epochOrder(1, 3, 0));
    assertThat(epochOrder(1, 3, 0)).isNotEqualTo(rows(200));
  }

  @Test
  void iteratingAgainAdvancesTheEpoch() {
    InMemorySource src = new InMemorySource(200);
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src)
            .batchSize(8)
            .shuffle(true)
            .seed(1)
            .numWorkers(2)
            .persistentWorkers(true)
            .build()) {
      List<Long> first = flat(drain(loader));
      List<Long> second = flat(drain(loader));
      assertThat(first).isEqualTo(epochOrder(1, 0, 0));
      assertThat(second).isEqualTo(epochOrder(1, 1, 0));
      loader.setEpoch(0);
      assertThat(flat(drain(loader))).isEqualTo(first);
    }
  }

  /**
   * Workers with uneven fetch cost finish out of order; inOrder still yields the single-worker
   * order.
   */
  @Test
  void inOrderEqualsSingleWorkerOrder() {
    for (int workers : new int[] {2, 4}) {
      InMemorySource src = new InMemorySource(200);
      src.shared.latencyMicros = o -> (o[0] % 3 == 0) ? 3000 : 0;
      try (DataLoader<InMemorySource.TestBatch> loader =
          DataLoader.builder(src)
              .batchSize(8)
              .shuffle(true)
              .seed(9)
              .numWorkers(workers)
              .prefetchFactor(3)
              .build()) {
        loader.setEpoch(2);
        assertThat(flat(drain(loader))).isEqualTo(epochOrder(9, 2, 0));
      }
    }
  }

  /** Out of order: a slow batch does not hold back the others, and each row still comes once. */
  @Test
  void outOfOrderYieldsFirstReadyFirst() {
    InMemorySource src = new InMemorySource(64);
    src.shared.latencyMicros = o -> o[0] == 0 ? 500_000 : 0; // batch 0 (worker 0) is slow
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src).batchSize(8).numWorkers(2).inOrder(false).build()) {
      List<long[]> batches = drain(loader);
      assertThat(batches.get(0)[0]).isNotZero();
      assertThat(flat(batches)).containsExactlyInAnyOrderElementsOf(rows(64));
    }
  }

  @Test
  void collateRunsInTheWorkerAndItsResultIsYielded() {
    InMemorySource src = new InMemorySource(50);
    Function<InMemorySource.TestBatch, String> toName =
        b -> {
          try (b) {
            return Thread.currentThread().getName() + ":" + b.ids.length;
          }
        };
    try (DataLoader<String> loader =
        DataLoader.builder(src).batchSize(10).numWorkers(2).collate(toName).build()) {
      for (String s : loader) {
        assertThat(s).matches("lancetorch-loader-\\d+-worker-[01]:10");
      }
    }
    assertThat(src.shared.liveBatches.get()).isZero();
  }
}
