package dev.lancetorch.loader;

import static dev.lancetorch.loader.LoaderTestSupport.drain;
import static dev.lancetorch.loader.LoaderTestSupport.flat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SamplerTest {

  @Test
  void weightedSamplerRespectsWeights() {
    double[] w = {1, 2, 3, 4, 0};
    int n = 200_000;
    long[] s = Sampler.weighted(w, n).indices(5, 11, 0);
    int[] counts = new int[5];
    for (long v : s) {
      counts[(int) v]++;
    }
    for (int i = 0; i < 4; i++) {
      assertThat(counts[i] / (double) n).isCloseTo(w[i] / 10.0, within(0.01));
    }
    assertThat(counts[4]).isZero();
    assertThat(Sampler.weighted(w, n).indices(5, 11, 1)).isNotEqualTo(s);
    assertThat(Sampler.weighted(w, n).indices(5, 11, 0)).isEqualTo(s);
  }

  @Test
  void weightedSamplerThroughTheLoaderDrawsWithReplacement() {
    double[] w = new double[20];
    w[3] = 1;
    w[7] = 1;
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(new InMemorySource(20))
            .batchSize(8)
            .sampler(Sampler.weighted(w, 40))
            .numWorkers(2)
            .build()) {
      List<Long> rows = flat(drain(loader));
      assertThat(rows).hasSize(40).containsOnly(3L, 7L).contains(3L, 7L);
    }
  }

  @Test
  void weightedSamplerChecksItsInput() {
    assertThatThrownBy(() -> Sampler.weighted(new double[] {1, -1}, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sampler.weighted(new double[] {0, 0}, 3))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sampler.weighted(new double[] {1, 1}, 3).indices(3, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void subsetAndSequentialAndRandom() {
    assertThat(Sampler.sequential().indices(4, 9, 3)).containsExactly(0, 1, 2, 3);
    assertThat(Sampler.subset(new long[] {5, 1, 3}, false).indices(6, 0, 0))
        .containsExactly(5, 1, 3);
    assertThat(Sampler.subset(new long[] {5, 1, 3, 4, 0, 2}, true).indices(6, 0, 0))
        .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
    assertThat(Sampler.random().indices(50, 1, 0))
        .isNotEqualTo(Sampler.sequential().indices(50, 1, 0));
    assertThatThrownBy(() -> Sampler.subset(new long[] {7}, false).indices(6, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void customBatchSampler() {
    BatchSampler pairs = BatchSampler.fixedSize(2, true);
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(new InMemorySource(5)).batchSampler(pairs).build()) {
      List<long[]> b = drain(loader);
      assertThat(b).hasSize(2);
      assertThat(b.get(1)).containsExactly(2, 3);
    }
  }
}
