package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.internal.read.WindowReader;
import dev.lancetorch.torch.BridgeStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PlannedBatches}: one planned read handed out to several threads, in any order, equals one
 * take per batch; windows are read once; untaken batches are freed at close; misuse and read
 * failures are clear exceptions.
 */
class PlannedBatchesTest extends TableFixture {
  static final int FRAGS = ReadPlannerTest.FRAGS;
  static final int PER = ReadPlannerTest.PER;
  static final int N = FRAGS * PER;

  PlannedBatchesTest() {
    super(FRAGS, PER);
  }

  @AfterEach
  void everyNativeBatchReleased() {
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
  }

  Permutation<ArrowBatch> shuffledPermutation(long seed) {
    try (var perm =
        TestTables.permutationTable(
            db, "pb" + seed, ReadPlannerTest.shuffled(N, seed), new long[N], null)) {
      return Permutation.fromTables(table, perm, 0).selectColumns("id", "x", "vec");
    }
  }

  /** Batches of 20 random offsets (duplicates allowed), the last one shorter. */
  static List<long[]> randomBatches(int count, long seed) {
    Random rnd = new Random(seed);
    List<long[]> batches = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      batches.add(rnd.longs(b == count - 1 ? 7 : 20, 0, N).toArray());
    }
    return batches;
  }

  static List<Long> ids(ArrowBatch b) {
    return PermutationTest.ids(List.of(b), new ArrayList<>());
  }

  @Test
  void threadsTakingInAnyOrderGetWhatOneTakePerBatchGets() throws Exception {
    Permutation<ArrowBatch> p = shuffledPermutation(41);
    List<long[]> batches = randomBatches(37, 8);
    Map<Integer, List<Long>> want = new ConcurrentHashMap<>();
    Permutation<ArrowBatch> plain = p.withReadAhead(0);
    for (int b = 0; b < batches.size(); b++) {
      try (ArrowBatch w = plain.takeOffsets(batches.get(b))) {
        want.put(b, ids(w));
      }
    }
    // windows of 3 batches: every thread waits for windows and parks batches for the others
    Permutation<ArrowBatch> planned = p.withReadAhead(WindowReader.WINDOWS_ALIVE * 3L * 20 * 28);
    List<Integer> order = new ArrayList<>();
    for (int b = 0; b < batches.size(); b++) {
      order.add(b);
    }
    Collections.shuffle(order, new Random(3));
    Map<Integer, List<Long>> got = new ConcurrentHashMap<>();
    long windowsBefore = WindowReader.windowsRead();
    ExecutorService threads = Executors.newFixedThreadPool(3);
    try (PlannedBatches<ArrowBatch> pb = planned.planBatches(batches)) {
      assertThat(pb.size()).isEqualTo(37);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int mine = t;
        Permutation<ArrowBatch> handle = t == 0 ? planned : planned.reopen();
        done.add(
            threads.submit(
                () -> {
                  try (Permutation<ArrowBatch> h = handle == planned ? null : handle) {
                    for (int k = mine; k < order.size(); k += 3) {
                      int b = order.get(k);
                      try (ArrowBatch batch = h == null ? pb.take(b) : pb.take(b, h)) {
                        got.put(b, ids(batch));
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(got).isEqualTo(want);
    // 37 batches of 20 rows (the last 7) in windows of 3 batches: 13 windows, each read once
    assertThat(WindowReader.windowsRead() - windowsBefore).isEqualTo(13);
  }

  @Test
  void closeFreesWhatWasNotTakenAndMisuseIsAClearError() {
    Permutation<ArrowBatch> p =
        shuffledPermutation(42).withReadAhead(WindowReader.WINDOWS_ALIVE * 4L * 20 * 28);
    List<long[]> batches = randomBatches(12, 9);
    PlannedBatches<ArrowBatch> pb = p.planBatches(batches);
    try (ArrowBatch b = pb.take(2)) { // batches 0 and 1 are parked, 3 waits in the window
      assertThat(ids(b)).hasSize(20);
    }
    assertThat(pb.offsets(2)).isEqualTo(batches.get(2));
    assertThatThrownBy(() -> pb.take(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("taken already");
    assertThatThrownBy(() -> pb.take(12)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> pb.take(0, p.selectColumns("id")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other columns");
    pb.close();
    pb.close(); // twice is safe
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
    assertThatThrownBy(() -> pb.take(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    // no plan where the planner does not apply
    assertThat(p.withReadAhead(0).planBatches(batches)).isNull();
    assertThat(p.planBatches(List.of(new long[] {1}, new long[0]))).isNull(); // an empty batch
    assertThat(p.planBatches(List.of(new long[] {N}))).isNull();
    // batches of their own sizes (each worker's last one shorter) are planned, each exact
    List<long[]> uneven = List.of(new long[] {5}, new long[] {1, 2, 3}, new long[] {7, 0});
    try (PlannedBatches<ArrowBatch> pu = p.planBatches(uneven)) {
      for (int i = 0; i < uneven.size(); i++) {
        try (ArrowBatch b = pu.take(i);
            ArrowBatch plain = p.withReadAhead(0).takeOffsets(uneven.get(i))) {
          assertThat(ids(b)).isEqualTo(ids(plain));
        }
      }
    }
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
  }

  @Test
  void aFailedReadIsThrownByEveryTakeThatNeedsItNeverSkipped() {
    long[] addrs = ReadPlannerTest.shuffled(N, 6);
    addrs[100] = TestTables.address(FRAGS + 5, 0); // no such fragment: in batch 5 (window 3)
    Permutation<ArrowBatch> p =
        Permutation.create(table, t -> RowSelection.addresses(addrs))
            .selectColumns("id", "x", "vec")
            .withReadAhead(WindowReader.WINDOWS_ALIVE * 2L * 20 * 28); // windows of 2 batches
    List<long[]> batches = new ArrayList<>();
    for (int b = 0; b < N / 20; b++) {
      long[] o = new long[20];
      for (int i = 0; i < 20; i++) {
        o[i] = b * 20L + i;
      }
      batches.add(o);
    }
    try (PlannedBatches<ArrowBatch> pb = p.planBatches(batches)) {
      for (int b = 0; b < 4; b++) {
        pb.take(b).close();
      }
      assertThatThrownBy(() -> pb.take(7))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not exist");
      assertThatThrownBy(() -> pb.take(4))
          .as("the failed window's batches are never handed out")
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
