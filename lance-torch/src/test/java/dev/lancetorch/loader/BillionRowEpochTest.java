package dev.lancetorch.loader;

import static dev.lancetorch.loader.LoaderTestSupport.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Epochs past 2^31 rows (issue 22 item 7): samplers, sharding, batch plans, the loader and its
 * states over 3·10^9 logical rows, none of them materialized (the test JVM's heap could not hold
 * one such epoch's offsets: 24 GB).
 */
@Timeout(60)
class BillionRowEpochTest {
  static final long ROWS = 3_000_000_000L;

  @Test
  void shuffledOrdersAreBijectionsAtEverySmallSize() {
    for (long n = 0; n <= 600; n++) {
      long[] a = RowOrder.shuffled(n, 42 + n).toArray();
      boolean[] seen = new boolean[(int) n];
      for (long v : a) {
        assertThat(v).isBetween(0L, n - 1);
        assertThat(seen[(int) v]).as("value %d twice in a shuffle of %d", v, n).isFalse();
        seen[(int) v] = true;
      }
    }
    long[] big = RowOrder.shuffled(1 << 20, 5).toArray();
    assertThat(java.util.Arrays.stream(big).distinct().count()).isEqualTo(1 << 20);
    assertThat(RowOrder.shuffled(1 << 20, 5).toArray()).isEqualTo(big); // keyed: repeatable
    assertThat(RowOrder.shuffled(1 << 20, 6).toArray()).isNotEqualTo(big);
  }

  @Test
  void shuffledOrderIsUniformEnoughAndFixedPointFree() {
    // a shuffle of 2^16 rows: each decile of positions spreads over every decile of values
    int n = 1 << 16;
    long[] a = RowOrder.shuffled(n, 99).toArray();
    int[][] cells = new int[10][10];
    int fixed = 0;
    for (int i = 0; i < n; i++) {
      cells[i * 10 / n][(int) (a[i] * 10 / n)]++;
      fixed += a[i] == i ? 1 : 0;
    }
    for (int[] row : cells) {
      for (int c : row) {
        assertThat(c).isBetween(n / 100 - 200, n / 100 + 200); // expected 655, sd ~25
      }
    }
    assertThat(fixed).isLessThan(10); // a random permutation has ~1 fixed point
    // neighbours are unrelated: the mean gap between consecutive values is ~n/3, not small
    double gaps = 0;
    for (int i = 1; i < n; i++) {
      gaps += Math.abs(a[i] - a[i - 1]);
    }
    assertThat(gaps / (n - 1)).isBetween(n / 3.0 * 0.95, n / 3.0 * 1.05);
  }

  @Test
  void randomSamplerOverThreeBillionRows() {
    RowOrder o = Sampler.random().order(ROWS, 7, 3);
    assertThat(o.size()).isEqualTo(ROWS);
    SplittableRandom rnd = new SplittableRandom(1);
    Set<Long> values = new HashSet<>();
    long above31 = 0;
    int samples = 200_000;
    for (int i = 0; i < samples; i++) {
      long v = o.get(rnd.nextLong(ROWS));
      assertThat(v).isBetween(0L, ROWS - 1);
      values.add(v);
      above31 += v >= (1L << 31) ? 1 : 0;
    }
    // distinct positions, distinct values (a bijection); a few positions may repeat in the draw
    assertThat(values.size()).isGreaterThan(samples - 20);
    assertThat(above31 / (double) samples).isBetween(0.27, 0.31); // (3e9 - 2^31) / 3e9 = 0.284
    assertThat(o.get(ROWS - 1)).isEqualTo(Sampler.random().order(ROWS, 7, 3).get(ROWS - 1));
    assertThat(o.get(0)).isNotEqualTo(Sampler.random().order(ROWS, 7, 4).get(0));
    assertThatThrownBy(() -> o.get(ROWS)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(o::toArray)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not fit one array");
    assertThat(Sampler.sequential().order(ROWS, 7, 3).get(ROWS - 2)).isEqualTo(ROWS - 2);
  }

  @Test
  void shardsOfThreeBillionRowsPartitionTheOrder() {
    RowOrder global = Sampler.random().order(ROWS + 3, 11, 0); // not a multiple of the world
    int world = 8;
    long per = (ROWS + 3 + world - 1) / world;
    RowOrder[] shards = new RowOrder[world];
    for (int r = 0; r < world; r++) {
      shards[r] = RowOrders.ShardOrder.of(global, r, world, false);
      assertThat(shards[r].size()).isEqualTo(per);
      assertThat(RowOrders.ShardOrder.of(global, r, world, true).size())
          .isEqualTo((ROWS + 3) / world);
    }
    SplittableRandom rnd = new SplittableRandom(2);
    for (int i = 0; i < 10_000; i++) {
      long k = rnd.nextLong(per - 1);
      int r = rnd.nextInt(world);
      assertThat(shards[r].get(k)).isEqualTo(global.get(r + k * world));
    }
    // the last round pads by wrapping to the start of the global order (PyTorch)
    long lastGlobal = (per - 1) * world;
    for (int r = 0; r < world; r++) {
      long g = lastGlobal + r;
      assertThat(shards[r].get(per - 1)).isEqualTo(global.get(g < ROWS + 3 ? g : g % (ROWS + 3)));
    }
  }

  @Test
  void fixedSizeBatchesOfThreeBillionRows() {
    RowOrder o = Sampler.random().order(ROWS, 1, 0);
    List<long[]> keep = BatchSampler.fixedSize(4096, false).batches(o);
    List<long[]> drop = BatchSampler.fixedSize(4096, true).batches(o);
    assertThat(keep).hasSize((int) ((ROWS + 4095) / 4096));
    assertThat(drop).hasSize((int) (ROWS / 4096));
    long[] last = keep.get(keep.size() - 1);
    assertThat(last).hasSize((int) (ROWS % 4096));
    assertThat(last[last.length - 1]).isEqualTo(o.get(ROWS - 1));
    long[] mid = keep.get(600_000); // rows 2,457,600,000.. (past 2^31)
    assertThat(mid).hasSize(4096);
    assertThat(mid[17]).isEqualTo(o.get(600_000L * 4096 + 17));
    assertThatThrownBy(() -> BatchSampler.fixedSize(1, false).batches(o))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 2^31 - 9 batches");
    // the array form is the same cut
    long[] small = Sampler.random().indices(10_000, 3, 1);
    List<long[]> fromArray = BatchSampler.fixedSize(64, false).batches(small);
    List<long[]> fromOrder = BatchSampler.fixedSize(64, false).batches(RowOrder.of(small));
    assertThat(fromArray).hasSameSizeAs(fromOrder);
    for (int i = 0; i < fromArray.size(); i++) {
      assertThat(fromArray.get(i)).isEqualTo(fromOrder.get(i));
    }
  }

  @Test
  void loaderRunsAndResumesAThreeBillionRowEpoch() {
    InMemorySource source = new InMemorySource(ROWS);
    int batch = 4096;
    long numBatches;
    RowOrder mine = RowOrders.ShardOrder.of(Sampler.random().order(ROWS, 5, 0), 3, 4, false);
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(source)
            .batchSize(batch)
            .shuffle(true)
            .seed(5)
            .distributed(3, 4)
            .numWorkers(2)
            .build()) {
      numBatches = loader.numBatches(0);
      assertThat(numBatches).isEqualTo((mine.size() + batch - 1) / batch);
      List<long[]> first = drain(loader.iterator(), 3);
      for (int b = 0; b < 3; b++) {
        for (int i = 0; i < batch; i += 511) {
          assertThat(first.get(b)[i]).isEqualTo(mine.get((long) b * batch + i));
        }
      }
    }
    // resume rank 3 just before the end of the epoch: rows far past 2^31 of the global order
    LoaderState near =
        new LoaderState(0, 5, numBatches - 3, new long[] {numBatches - 2}, numBatches, 3, 4);
    LoaderState parsed = LoaderState.fromJson(near.toJson());
    assertThat(parsed).isEqualTo(near);
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(source)
            .batchSize(batch)
            .shuffle(true)
            .seed(5)
            .distributed(3, 4)
            .numWorkers(2)
            .resumeFrom(parsed)
            .build()) {
      List<long[]> rest = drain(loader);
      assertThat(rest).hasSize(2);
      long[] b0 = rest.get(0);
      long[] b1 = rest.get(1);
      assertThat(b0[0]).isEqualTo(mine.get((numBatches - 3) * batch));
      assertThat(b1).hasSize((int) (mine.size() - (numBatches - 1) * batch));
      assertThat(b1[b1.length - 1]).isEqualTo(mine.get(mine.size() - 1));
      LoaderState after = loader.state();
      assertThat(after.epoch()).isEqualTo(1);
      assertThat(after.numBatches()).isEqualTo(numBatches);
    }
    assertThat(source.shared.liveBatches.get()).isZero();
    assertThat(source.shared.openHandles.get()).isZero();
  }

  @Test
  void streamingDatasetSaysWhyItStopsAt2To31Rows() {
    // LanceDB's split layout (which StreamingDataset reproduces exactly) holds an epoch's order
    assertThatThrownBy(
            () -> StreamingDataset.builder(new InMemorySource(ROWS)).numSplits(4).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 2147483639 rows")
        .hasMessageContaining("DataLoader");
  }

  @Test
  void weightedSamplerDrawsThreeBillionSamplesOnDemand() {
    double[] w = {1, 0, 3, 4};
    RowOrder o = Sampler.weighted(w, ROWS).order(4, 9, 2);
    assertThat(o.size()).isEqualTo(ROWS);
    int[] counts = new int[4];
    SplittableRandom rnd = new SplittableRandom(3);
    int draws = 400_000;
    for (int i = 0; i < draws; i++) {
      counts[(int) o.get(rnd.nextLong(ROWS))]++;
    }
    assertThat(counts[1]).isZero();
    for (int k : new int[] {0, 2, 3}) {
      assertThat(counts[k] / (double) draws).isBetween(w[k] / 8 - 0.005, w[k] / 8 + 0.005);
    }
    assertThat(o.get(ROWS - 1)).isEqualTo(Sampler.weighted(w, ROWS).order(4, 9, 2).get(ROWS - 1));
    // the int overload draws the same
    assertThat(Sampler.weighted(w, 1000).indices(4, 9, 2))
        .isEqualTo(Sampler.weighted(w, 1000L).order(4, 9, 2).toArray());
  }
}
