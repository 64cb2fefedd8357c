package dev.lancetorch.loader;

import static dev.lancetorch.loader.LoaderTestSupport.drain;
import static dev.lancetorch.loader.LoaderTestSupport.flat;
import static dev.lancetorch.loader.LoaderTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class DataLoaderCoverageTest {

  @ParameterizedTest(name = "workers={0}")
  @ValueSource(ints = {0, 1, 2, 4})
  void everyRowExactlyOncePerEpochWithShuffle(int workers) throws Exception {
    InMemorySource src = new InMemorySource(103);
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src).batchSize(10).shuffle(true).seed(42).numWorkers(workers).build()) {
      for (int epoch = 0; epoch < 2; epoch++) {
        List<long[]> batches = drain(loader);
        assertThat(batches).hasSize(11);
        assertThat(batches.get(10)).hasSize(3);
        assertThat(flat(batches)).containsExactlyInAnyOrderElementsOf(rows(103));
      }
    }
    assertThat(src.shared.liveBatches.get()).isZero();
    LoaderTestSupport.assertNoLoaderThreadsEventually();
    assertThat(src.shared.openHandles.get()).isZero();
  }

  @Test
  void emptySourceYieldsNothing() throws Exception {
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(new InMemorySource(0))
            .batchSize(10)
            .shuffle(true)
            .numWorkers(2)
            .distributed(1, 3)
            .build()) {
      assertThat(drain(loader)).isEmpty();
      assertThat(drain(loader)).isEmpty();
    }
    LoaderTestSupport.assertNoLoaderThreadsEventually();
  }

  @Test
  void dropLastDropsTheShortBatch() {
    InMemorySource src = new InMemorySource(25);
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src).batchSize(10).dropLast(true).numWorkers(2).build()) {
      List<long[]> batches = drain(loader);
      assertThat(flat(batches)).containsExactlyElementsOf(rows(20));
    }
  }

  /** worldSize divides numRows: the ranks' shards are disjoint, equal, and cover every row once. */
  @ParameterizedTest(name = "worldSize={0} workers={1}")
  @CsvSource({"2,0", "2,2", "3,0", "3,2", "3,4"})
  void ranksPartitionTheRowsWithShuffle(int worldSize, int workers) {
    int n = 102;
    for (int epoch = 0; epoch < 2; epoch++) {
      List<Long> all = new ArrayList<>();
      for (int rank = 0; rank < worldSize; rank++) {
        InMemorySource src = new InMemorySource(n);
        try (DataLoader<InMemorySource.TestBatch> loader =
            shuffledShard(src, 4, workers, rank, worldSize).build()) {
          loader.setEpoch(epoch);
          List<Long> mine = flat(drain(loader));
          assertThat(mine).hasSize(n / worldSize);
          all.addAll(mine);
        }
      }
      assertThat(all).containsExactlyInAnyOrderElementsOf(rows(n));
    }
  }

  /** 103 rows on 2 or 3 ranks: padded by wrapping (PyTorch rule), equal shards; or tail dropped. */
  @ParameterizedTest(name = "worldSize={0}")
  @ValueSource(ints = {2, 3})
  void unevenRowsArePaddedByWrappingOrDropped(int worldSize) {
    int n = 103;
    int padded = (n + worldSize - 1) / worldSize;
    long[] global = Sampler.random().indices(n, 7, 0);
    Map<Long, Integer> counts = new HashMap<>();
    Map<Long, Integer> countsDropped = new HashMap<>();
    for (int rank = 0; rank < worldSize; rank++) {
      for (boolean drop : new boolean[] {false, true}) {
        InMemorySource src = new InMemorySource(n);
        try (DataLoader<InMemorySource.TestBatch> loader =
            shuffledShard(src, 5, 2, rank, worldSize).dropUneven(drop).build()) {
          List<Long> mine = flat(drain(loader));
          assertThat(mine).hasSize(drop ? n / worldSize : padded);
          for (long v : mine) {
            (drop ? countsDropped : counts).merge(v, 1, Integer::sum);
          }
        }
      }
    }
    int pad = padded * worldSize - n;
    Map<Long, Integer> expected = new HashMap<>();
    for (long v = 0; v < n; v++) {
      expected.put(v, 1);
    }
    for (int k = 0; k < pad; k++) {
      expected.merge(global[k], 1, Integer::sum); // the first `pad` of the global order repeat
    }
    assertThat(counts).isEqualTo(expected);
    assertThat(countsDropped.values()).containsOnly(1);
    assertThat(new HashSet<>(countsDropped.keySet())).hasSize(n / worldSize * worldSize);
    for (int k = 0; k < n / worldSize * worldSize; k++) {
      assertThat(countsDropped).containsKey(global[k]);
    }
  }

  /** Rank {@code rank}'s shard of {@code src}, shuffled with seed 7. */
  private static DataLoader.Builder<InMemorySource.TestBatch, InMemorySource.TestBatch>
      shuffledShard(InMemorySource src, int batchSize, int workers, int rank, int worldSize) {
    return DataLoader.builder(src)
        .batchSize(batchSize)
        .shuffle(true)
        .seed(7)
        .numWorkers(workers)
        .distributed(rank, worldSize);
  }
}
