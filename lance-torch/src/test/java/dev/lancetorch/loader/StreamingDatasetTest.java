package dev.lancetorch.loader;

import static dev.lancetorch.loader.LoaderTestSupport.assertNoLiveBatchesEventually;
import static dev.lancetorch.loader.LoaderTestSupport.assertNoLoaderThreadsEventually;
import static dev.lancetorch.loader.LoaderTestSupport.drain;
import static dev.lancetorch.loader.LoaderTestSupport.flat;
import static dev.lancetorch.loader.LoaderTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lancetorch.internal.loader.SplitLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class StreamingDatasetTest {
  static final int N = 1003;
  static final int SPLITS = 12;

  static StreamingDataset.Builder<InMemorySource.TestBatch, InMemorySource.TestBatch> builder(
      InMemorySource src, int rank, int worldSize, int workers) {
    return StreamingDataset.builder(src)
        .numSplits(SPLITS)
        .distributed(rank, worldSize)
        .numWorkers(workers)
        .readBatchSize(7)
        .prefetchBatches(2)
        .shuffle(true)
        .shuffleSeed(99)
        .shuffleClumpSize(4);
  }

  /**
   * The layout {@link #builder} gives (LanceDB's split_random(fixed=SPLITS, seed=99 + epoch*100003,
   * clump 4)).
   */
  static final SplitLayout LAYOUT = new SplitLayout(N, SPLITS, true, 99, 4);

  /** split of a row in epoch 0. */
  static int splitOf(long row) {
    for (int s = 0; s < SPLITS; s++) {
      for (long r : LAYOUT.rowsOf(s, 0)) {
        if (r == row) {
          return s;
        }
      }
    }
    throw new AssertionError(row);
  }

  /**
   * The rows of epoch 0: every split has N / SPLITS rows, the N % SPLITS surplus rows are left out.
   */
  static List<Long> epochRows() {
    return boxed(LAYOUT.globalOrder(0));
  }

  static Map<Integer, List<Long>> bySplit(List<Long> rows) {
    Map<Integer, List<Long>> out = new HashMap<>();
    for (long r : rows) {
      out.computeIfAbsent(splitOf(r), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  static List<Long> boxed(long[] a) {
    return Arrays.stream(a).boxed().toList();
  }

  @ParameterizedTest(name = "worldSize={0} workers={1}")
  @CsvSource({"1,1", "1,4", "2,2", "3,2", "4,3"})
  void everyRowOnceAndEachSplitInItsFixedOrder(int worldSize, int workers) {
    for (int epoch = 0; epoch < 2; epoch++) {
      List<Long> all = new ArrayList<>();
      long[] global = null;
      for (int rank = 0; rank < worldSize; rank++) {
        InMemorySource src = new InMemorySource(N);
        try (StreamingDataset<InMemorySource.TestBatch> ds =
            builder(src, rank, worldSize, workers).build()) {
          ds.setEpoch(epoch);
          List<Long> mine = flat(drain(ds));
          all.addAll(mine);
          assertThat(ds.metrics().rowsLoaded()).isEqualTo(mine.size());
          assertThat(ds.metrics().bytesLoaded()).isEqualTo(8L * mine.size());
          global = ds.globalOrder(epoch);
          try (StreamingDataset<InMemorySource.TestBatch> single =
              builder(new InMemorySource(N), 0, 1, 1).build()) {
            assertThat(global)
                .isEqualTo(single.globalOrder(epoch)); // independent of the world size
          }
        }
        assertThat(src.shared.liveBatches.get()).isZero();
      }
      assertThat(all)
          .hasSize(N / SPLITS * SPLITS)
          .containsExactlyInAnyOrderElementsOf(boxed(global));
      for (int s = 0; s < SPLITS; s++) { // each split's rows delivered in the split's order
        List<Long> order = boxed(LAYOUT.rowsOf(s, epoch));
        assertThat(all.stream().filter(order::contains).toList()).isEqualTo(order);
      }
    }
  }

  /**
   * As LanceDB: splits default to the world size and all have numRows / numSplits rows, so with
   * uneven row counts every rank still gets the same rows count and the same number of batches (no
   * DDP hang at the end of an epoch); together the ranks deliver every row of the epoch once.
   */
  @ParameterizedTest(name = "rows={0} worldSize={1} readBatch={2}")
  @CsvSource({
    "2049,1,1024",
    "2049,2,1024",
    "2049,3,1024",
    "1003,2,7",
    "1003,3,7",
    "100,3,64",
    "5,3,64"
  })
  void everyRankTheSameNumberOfBatches(int rows, int worldSize, int readBatch) {
    List<Integer> batches = new ArrayList<>();
    List<Long> all = new ArrayList<>();
    long[] global = null;
    for (int rank = 0; rank < worldSize; rank++) {
      InMemorySource src = new InMemorySource(rows);
      try (StreamingDataset<InMemorySource.TestBatch> ds =
          StreamingDataset.builder(src)
              .rank(rank)
              .worldSize(worldSize)
              .readBatchSize(readBatch)
              .shuffleSeed(7)
              .build()) {
        List<long[]> got = drain(ds);
        batches.add(got.size());
        all.addAll(flat(got));
        global = ds.globalOrder(0);
      }
    }
    assertThat(batches).as("batches per rank").containsOnly(batches.get(0));
    assertThat(all)
        .hasSize(rows / worldSize * worldSize)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(boxed(global));
  }

  /**
   * LanceDB's elastic determinism: rows round robin over a rank's splits (one row per split per
   * cycle), so with the same numSplits, seed and epoch and the same <em>global</em> batch
   * (worldSize × per-rank batch, a multiple of numSplits), the union of the ranks' batches at
   * global step k is the same sample set on any world size: cycles [k·G/S, (k+1)·G/S) of every
   * split. Uneven row counts (surplus rows and a last, shorter step) included.
   */
  @ParameterizedTest(name = "rows={0}")
  @CsvSource({"1003", "100", "61"})
  void globalStepHoldsTheSameSamplesOnAnyWorldSize(int rows) {
    int splits = 6;
    int globalBatch = 12;
    List<List<java.util.Set<Long>>> perWorldSize = new ArrayList<>();
    for (int worldSize = 1; worldSize <= 3; worldSize++) {
      List<java.util.Set<Long>> steps = new ArrayList<>();
      List<Integer> batchesPerRank = new ArrayList<>();
      for (int rank = 0; rank < worldSize; rank++) {
        try (StreamingDataset<InMemorySource.TestBatch> ds =
            StreamingDataset.builder(new InMemorySource(rows))
                .numSplits(splits)
                .distributed(rank, worldSize)
                .readBatchSize(globalBatch / worldSize)
                .shuffleSeed(5)
                .build()) {
          List<long[]> got = drain(ds);
          batchesPerRank.add(got.size());
          for (int k = 0; k < got.size(); k++) {
            if (steps.size() <= k) {
              steps.add(new java.util.HashSet<>());
            }
            for (long r : got.get(k)) {
              assertThat(steps.get(k).add(r)).isTrue();
            }
          }
        }
      }
      assertThat(batchesPerRank).containsOnly(batchesPerRank.get(0));
      perWorldSize.add(steps);
    }
    SplitLayout layout = new SplitLayout(rows, splits, true, 5, 1);
    int cyclesPerStep = globalBatch / splits;
    List<java.util.Set<Long>> expected = new ArrayList<>();
    for (long c = 0; c < layout.splitLength(); c += cyclesPerStep) {
      java.util.Set<Long> step = new java.util.HashSet<>();
      for (int s = 0; s < splits; s++) {
        long[] order = layout.rowsOf(s, 0);
        for (long j = c; j < Math.min(order.length, c + cyclesPerStep); j++) {
          step.add(order[(int) j]);
        }
      }
      expected.add(step);
    }
    assertThat(expected).hasSize((int) ((rows / splits + cyclesPerStep - 1) / cyclesPerStep));
    for (List<java.util.Set<Long>> steps : perWorldSize) {
      assertThat(steps).isEqualTo(expected);
    }
  }

  /**
   * One rank, one worker: the rows come one per split per cycle, in split order (LanceDB's row
   * stream).
   */
  @Test
  void rowsRoundRobinOverTheRanksSplits() {
    try (StreamingDataset<InMemorySource.TestBatch> ds =
        StreamingDataset.builder(new InMemorySource(40))
            .numSplits(4)
            .distributed(1, 2)
            .shuffle(false)
            .readBatchSize(3)
            .build()) {
      assertThat(flat(drain(ds)))
          .containsExactly(
              20L, 30L, 21L, 31L, 22L, 32L, 23L, 33L, 24L, 34L, 25L, 35L, 26L, 36L, 27L, 37L, 28L,
              38L, 29L, 39L);
    }
  }

  @Test
  void epochsDifferSameEpochRepeatsAndClumpsStayTogether() {
    long[] e0;
    long[] e1;
    try (StreamingDataset<InMemorySource.TestBatch> ds =
        builder(new InMemorySource(N), 0, 1, 1).build()) {
      e0 = ds.globalOrder(0);
      e1 = ds.globalOrder(1);
      try (StreamingDataset<InMemorySource.TestBatch> again =
          builder(new InMemorySource(N), 0, 1, 1).build()) {
        assertThat(flat(drain(ds))).isEqualTo(flat(drain(again)));
      }
      long[] global = ds.globalOrder(0);
      for (int i = 1; i < global.length; i++) {
        if (global[i] % 4 != 0) {
          assertThat(global[i - 1])
              .isEqualTo(global[i] - 1); // inside a clump of 4: consecutive rows
        }
      }
    }
    assertThat(e0).isNotEqualTo(e1);
    assertThat(boxed(e0)).hasSize(N / SPLITS * SPLITS).doesNotHaveDuplicates();
    assertThat(boxed(e0)).isNotEqualTo(rows(N / SPLITS * SPLITS));
  }

  @Test
  void splitsMustDivideByWorldSizeTimesWorkers() {
    assertThatThrownBy(() -> builder(new InMemorySource(N), 0, 5, 1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("numSplits 12 is not divisible by worldSize 5");
    assertThatThrownBy(() -> builder(new InMemorySource(N), 0, 2, 4).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("× numWorkers 4 = 8");
  }

  /**
   * 4 ranks (2 workers each) stop after different numbers of batches; their merged state resumes on
   * 2 ranks (3 workers) and on 1 rank: per split, rows before + rows after == the split's row
   * order; no row twice, none missing.
   */
  @ParameterizedTest(name = "resume on worldSize={0} workers={1}")
  @CsvSource({"2,3", "1,1", "4,1", "3,2"})
  void mergedStateResumesOnAnotherWorldSize(int newWorldSize, int newWorkers) {
    int oldWorldSize = 4;
    int[] stopAfter = {0, 3, 5, 9};
    List<Long> before = new ArrayList<>();
    List<StreamingState> states = new ArrayList<>();
    for (int rank = 0; rank < oldWorldSize; rank++) {
      InMemorySource src = new InMemorySource(N);
      try (StreamingDataset<InMemorySource.TestBatch> ds =
          builder(src, rank, oldWorldSize, 3).build()) {
        Iterator<InMemorySource.TestBatch> it = ds.iterator();
        before.addAll(flat(drain(it, stopAfter[rank])));
        states.add(StreamingState.fromJson(ds.state().toJson()));
      }
      assertThat(src.shared.liveBatches.get()).isZero();
    }
    StreamingState merged = StreamingDataset.mergeStates(states);
    assertThat(merged.coversAllSplits()).isTrue();
    assertThat(Arrays.stream(merged.rowsConsumed()).sum()).isEqualTo(before.size());
    List<Long> after = new ArrayList<>();
    for (int rank = 0; rank < newWorldSize; rank++) {
      try (StreamingDataset<InMemorySource.TestBatch> ds =
          builder(new InMemorySource(N), rank, newWorldSize, newWorkers)
              .resumeFrom(merged)
              .build()) {
        after.addAll(flat(drain(ds)));
      }
    }
    assertThat(after).doesNotContainAnyElementsOf(before);
    List<Long> all = new ArrayList<>(before);
    all.addAll(after);
    assertThat(all).containsExactlyInAnyOrderElementsOf(epochRows());
    Map<Integer, List<Long>> b = bySplit(before);
    Map<Integer, List<Long>> a = bySplit(after);
    try (StreamingDataset<InMemorySource.TestBatch> ds =
        builder(new InMemorySource(N), 0, 1, 1).build()) {
      for (int s = 0; s < SPLITS; s++) {
        List<Long> joined = new ArrayList<>(b.getOrDefault(s, List.of()));
        joined.addAll(a.getOrDefault(s, List.of()));
        assertThat(joined).as("split %d", s).isEqualTo(boxed(ds.splitRowOrder(s, 0)));
      }
    }
  }

  @Test
  void sameWorldSizeResumesFromItsOwnStateAndPartialStatesAreRefused() {
    List<Long> uninterrupted;
    try (StreamingDataset<InMemorySource.TestBatch> ds =
        builder(new InMemorySource(N), 1, 2, 2).build()) {
      uninterrupted = flat(drain(ds));
    }
    List<Long> resumed = new ArrayList<>();
    StreamingState s;
    try (StreamingDataset<InMemorySource.TestBatch> ds =
        builder(new InMemorySource(N), 1, 2, 2).build()) {
      resumed.addAll(flat(drain(ds.iterator(), 4)));
      s = ds.state();
    }
    try (StreamingDataset<InMemorySource.TestBatch> ds =
        builder(new InMemorySource(N), 1, 2, 2).resumeFrom(s).build()) {
      assertThat(ds.state()).isEqualTo(s);
      resumed.addAll(flat(drain(ds)));
      assertThat(ds.state().epoch()).isEqualTo(1);
    }
    assertThat(resumed).isEqualTo(uninterrupted);
    assertThatThrownBy(() -> builder(new InMemorySource(N), 0, 2, 2).resumeFrom(s).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mergeStates");
  }

  static final class Doubled implements AutoCloseable {
    final long[] ids;

    Doubled(long[] ids) {
      this.ids = ids;
    }

    @Override
    public void close() {}
  }

  static Doubled failOnRow50(InMemorySource.TestBatch b) {
    try (b) {
      for (long id : b.ids) {
        if (id == 50) {
          throw new IllegalArgumentException("bad row 50");
        }
      }
      return new Doubled(Arrays.stream(b.ids).map(v -> 2 * v).toArray());
    }
  }

  /** 4 unshuffled splits of 25 rows, batches of 10, the transform failing on row 50. */
  static StreamingDataset.Builder<InMemorySource.TestBatch, Doubled> failingOnRow50(
      InMemorySource src, int workers, int parallelism) {
    return StreamingDataset.builder(src)
        .shuffle(false)
        .numSplits(4)
        .numWorkers(workers)
        .readBatchSize(10)
        .transform(StreamingDatasetTest::failOnRow50)
        .transformParallelism(parallelism);
  }

  @ParameterizedTest(name = "transformParallelism={0}")
  @CsvSource({"0", "2"})
  void transformErrorPolicies(int parallelism) throws Exception {
    // SKIP: as LanceDB, only row 50 is dropped (the transform re-run row by row) and counted
    InMemorySource src = new InMemorySource(100);
    try (StreamingDataset<Doubled> ds =
        failingOnRow50(src, 2, parallelism).onTransformError(OnTransformError.SKIP).build()) {
      List<Long> got = new ArrayList<>();
      for (Doubled d : ds) {
        for (long v : d.ids) {
          got.add(v / 2);
        }
      }
      assertThat(got)
          .hasSize(99)
          .doesNotContain(50L)
          .containsAll(rows(50))
          .contains(49L, 51L, 75L, 99L);
      assertThat(ds.metrics().rowsSkipped()).isEqualTo(1);
      assertThat(ds.state().epoch()).isEqualTo(1);
    }
    assertNoLiveBatchesEventually(src);
    // WARN: same, logged
    try (StreamingDataset<Doubled> ds =
        failingOnRow50(new InMemorySource(100), 1, parallelism)
            .onTransformError(OnTransformError.WARN)
            .build()) {
      int n = 0;
      for (Doubled d : ds) {
        n += d.ids.length;
      }
      assertThat(n).isEqualTo(99);
      assertThat(ds.metrics().rowsSkipped()).isEqualTo(1);
    }
    // custom: replacement batch
    try (StreamingDataset<Doubled> ds =
        failingOnRow50(new InMemorySource(100), 1, parallelism)
            .onTransformError((e, pos) -> new Doubled(new long[] {-1 - pos.batchIndex()}))
            .build()) {
      List<Long> got = new ArrayList<>();
      for (Doubled d : ds) {
        for (long v : d.ids) {
          got.add(v);
        }
      }
      assertThat(got).hasSize(91).contains(-1L); // rows 0, 25, 50, 75, 1, …: the first batch fails
      assertThat(ds.metrics().rowsSkipped()).isZero();
    }
    // RAISE (default): cause and position reach the caller
    InMemorySource src2 = new InMemorySource(100);
    try (StreamingDataset<Doubled> ds = failingOnRow50(src2, 2, parallelism).build()) {
      Throwable t =
          catchThrowable(
              () -> {
                for (Doubled d : ds) {
                  d.close();
                }
              });
      assertThat(t).isInstanceOf(DataLoaderException.class).hasRootCauseMessage("bad row 50");
      BatchPosition pos = ((DataLoaderException) t).position();
      assertThat(pos.split()).isEqualTo(2);
      assertThat(pos.batchIndex()).isEqualTo(0);
      assertThat(pos.minOffset()).isEqualTo(50);
      assertThat(pos.maxOffset())
          .isEqualTo(79); // worker 1 reads splits 2, 3 round robin: 50, 75, 51, 76, …
    }
    assertNoLiveBatchesEventually(src2);
    assertNoLoaderThreadsEventually();
  }

  @Test
  void closeMidEpochWithTransformThreadsLeavesNothingBehind() throws Exception {
    InMemorySource src = new InMemorySource(100_000);
    src.shared.latencyMicros = o -> 200;
    StreamingDataset<InMemorySource.TestBatch> ds =
        builder(src, 0, 1, 4).transform(b -> b).transformParallelism(2).prefetchBatches(4).build();
    Iterator<InMemorySource.TestBatch> it = ds.iterator();
    InMemorySource.TestBatch kept = it.next();
    drain(it, 10);
    ds.close();
    assertNoLoaderThreadsEventually();
    kept.close();
    assertNoLiveBatchesEventually(src);
    assertThat(src.shared.openHandles.get()).isZero();
    assertThat(src.shared.reopens.get()).isEqualTo(4);
  }

  @Test
  void timeoutNamesTheSplitAndPosition() throws Exception {
    InMemorySource src = new InMemorySource(100);
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    StreamingDataset<InMemorySource.TestBatch> ds =
        StreamingDataset.builder(src)
            .shuffle(false)
            .numSplits(2)
            .numWorkers(2)
            .readBatchSize(10)
            .prefetchBatches(1)
            .timeout(java.time.Duration.ofMillis(200))
            .build();
    try {
      src.shared.gate = gate;
      Throwable t = catchThrowable(() -> ds.iterator().next());
      assertThat(t)
          .isInstanceOf(DataLoaderException.class)
          .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
      assertThat(((DataLoaderException) t).position()).isEqualTo(new BatchPosition(0, 0, 0, 9, 0));
    } finally {
      gate.countDown();
      ds.close();
    }
    assertNoLoaderThreadsEventually();
    assertNoLiveBatchesEventually(src);
  }

  @Test
  void mergeRefusesMismatchedStates() {
    StreamingState a = new StreamingState(0, 1, 10, new long[] {3, -1});
    StreamingState b = new StreamingState(1, 1, 10, new long[] {-1, 2});
    StreamingState c = new StreamingState(0, 1, 10, new long[] {4, 2});
    assertThatThrownBy(() -> StreamingDataset.mergeStates(List.of(a, b)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamingDataset.mergeStates(List.of(a, c)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(
            StreamingDataset.mergeStates(
                List.of(a, new StreamingState(0, 1, 10, new long[] {-1, 2}))))
        .isEqualTo(new StreamingState(0, 1, 10, new long[] {3, 2}));
  }
}
