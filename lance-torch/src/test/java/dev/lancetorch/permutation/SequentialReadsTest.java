package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.internal.read.WindowReader;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.torch.BridgeStats;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loader without shuffle over an identity permutation reads its consecutive batches as one stream
 * (as the permutation's own iterator), not a read per batch or a planner window.
 */
class SequentialReadsTest extends TableFixture {
  private static final int N = 3 * 250; // 3 fragments of 250 rows

  SequentialReadsTest() {
    super(3, 250);
  }

  @AfterEach
  void everyNativeBatchReleased() {
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
  }

  private List<Long> loaded(Permutation<ArrowBatch> p, int workers, List<Integer> sizes) {
    try (DataLoader<ArrowBatch> l =
        DataLoader.builder(p).batchSize(33).numWorkers(workers).build()) {
      return PermutationTest.ids(l, sizes);
    }
  }

  @Test
  void unshuffledLoaderStreamsTheIdentityPermutation() {
    Permutation<ArrowBatch> p = Permutation.identity(table).selectColumns("id", "x", "vec");
    List<Long> all = LongStream.range(0, N).boxed().toList();
    for (int workers : new int[] {0, 1}) {
      long windows = WindowReader.windowsRead();
      long plans = SequentialReads.plansMade();
      List<Integer> sizes = new ArrayList<>();
      assertThat(loaded(p, workers, sizes)).as("%d workers", workers).isEqualTo(all);
      assertThat(SequentialReads.plansMade()).as("one stream for the epoch").isEqualTo(plans + 1);
      assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(s -> s == 33);
      assertThat(sizes.get(sizes.size() - 1)).isEqualTo(N % 33);
      assertThat(WindowReader.windowsRead())
          .as("streamed, not read through planner windows")
          .isEqualTo(windows);
    }
    // a window of the identity (skip/take) streams from its own start
    Permutation<ArrowBatch> w = p.withSkip(100).withTake(200);
    assertThat(loaded(w, 0, new ArrayList<>()))
        .isEqualTo(LongStream.range(100, 300).boxed().toList());
  }

  @Test
  void leavingTheLoaderWithBreakReleasesTheStream() {
    Permutation<ArrowBatch> p = Permutation.identity(table).selectColumns("id", "x");
    long plans = SequentialReads.plansMade();
    ArrowBatch kept = null;
    try (DataLoader<ArrowBatch> l = DataLoader.builder(p).batchSize(33).build()) {
      for (ArrowBatch b : l) {
        kept = b; // a batch kept past the loop stays valid
        break;
      }
    }
    assertThat(SequentialReads.plansMade()).isEqualTo(plans + 1);
    try (ArrowBatch b = kept) {
      assertThat(PermutationTest.ids(List.of(b), new ArrayList<>()))
          .isEqualTo(LongStream.range(0, 33).boxed().toList());
    }
    // @AfterEach: no native batch of the stream is left (the allocator check of TableFixture too)
  }

  @Test
  void shuffledOrSeveralWorkersAreNotStreamed() {
    Permutation<ArrowBatch> p = Permutation.identity(table).selectColumns("id", "x");
    long plans = SequentialReads.plansMade();
    try (DataLoader<ArrowBatch> l =
        DataLoader.builder(p).batchSize(33).shuffle(true).seed(3).build()) {
      assertThat(PermutationTest.ids(l, new ArrayList<>())).hasSize(N).doesNotHaveDuplicates();
    }
    try (DataLoader<ArrowBatch> l = DataLoader.builder(p).batchSize(33).numWorkers(2).build()) {
      assertThat(PermutationTest.ids(l, new ArrayList<>()))
          .isEqualTo(LongStream.range(0, N).boxed().toList());
    }
    assertThat(SequentialReads.plansMade()).isEqualTo(plans);
  }

  @Test
  void aRequestOffThePlanEndsItAndIsReadThePlainWay() {
    Permutation<ArrowBatch> p = Permutation.identity(table).selectColumns("id", "x");
    long[] b0 = LongStream.range(0, 10).toArray();
    long[] b1 = LongStream.range(10, 20).toArray();
    p.planReads(List.of(b0, b1));
    try (ArrowBatch first = p.takeOffsets(b0);
        ArrowBatch other = p.takeOffsets(500, 3, 7);
        ArrowBatch again = p.takeOffsets(b1)) {
      assertThat(PermutationTest.ids(List.of(first), new ArrayList<>()))
          .isEqualTo(LongStream.range(0, 10).boxed().toList());
      assertThat(PermutationTest.ids(List.of(other), new ArrayList<>()))
          .containsExactly(500L, 3L, 7L);
      assertThat(PermutationTest.ids(List.of(again), new ArrayList<>()))
          .isEqualTo(LongStream.range(10, 20).boxed().toList());
    }
    p.planReads(List.of());
  }
}
