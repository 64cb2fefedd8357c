package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 24 item 4: split arithmetic is exact. Hash weights are summed as LanceDB's unsigned 64-bit
 * total (huge weights keep every row; a sum past 2^64 is refused at the call) and split counts are
 * compared with the rows available without overflow.
 */
@Timeout(120)
class SplitArithmeticTest extends TableFixture {
  SplitArithmeticTest() {
    super(2, 500);
  }

  private static long[] sizes(Permutations ps) {
    long[] out = new long[ps.numSplits()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ps.splitSize(i);
    }
    return out;
  }

  @Test
  void hugeHashWeightsKeepEveryRowAndSplitItInHalves() {
    for (long w : new long[] {1L << 62, Long.MAX_VALUE}) {
      long[] sizes =
          sizes(Permutation.builder(table).splitHash(List.of("id"), w, w).toPermutations());
      assertThat(sizes).hasSize(2);
      assertThat(sizes[0] + sizes[1]).as("weights %d", w).isEqualTo(1000);
      // two equal weights: about half each (a u64 hash is uniform)
      assertThat(sizes[0]).as("weights %d", w).isBetween(400L, 600L);
    }
  }

  @Test
  void hugeWeightsWithADiscardKeepTheirShare() {
    // weights 2^62, 2^62 and a discard of 2^62 - 1: a total T = 3 * 2^62 - 1 (past
    // Long.MAX_VALUE). hash mod T (unsigned, as LanceDB) maps [0, 2^62] twice, so split 0 gets
    // about 1/2 of the rows, split 1 about 1/4 and 1/4 is discarded
    long q = 1L << 62;
    Permutations ps =
        Permutation.builder(table)
            .splitHash(List.of("id"), new long[] {q, q}, q - 1, null)
            .toPermutations();
    long[] sizes = sizes(ps);
    assertThat(sizes[0]).isBetween(430L, 570L);
    assertThat(sizes[1]).isBetween(190L, 310L);
  }

  @Test
  void weightSumsPast64BitsAreRefusedAtTheCall() {
    assertThatThrownBy(
            () ->
                Permutation.builder(table)
                    .splitHash(List.of("id"), Long.MAX_VALUE, Long.MAX_VALUE, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("18446744073709551616")
        .hasMessageContaining("2^64");
    assertThatThrownBy(
            () ->
                Permutation.builder(table)
                    .splitHash(List.of("id"), new long[] {Long.MAX_VALUE, 2}, Long.MAX_VALUE, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("discard weight " + Long.MAX_VALUE);
    // the largest total that fits is fine
    assertThat(
            sizes(
                Permutation.builder(table)
                    .splitHash(List.of("id"), new long[] {Long.MAX_VALUE, Long.MAX_VALUE}, 1, null)
                    .toPermutations()))
        .hasSize(2);
  }

  @Test
  void splitCountsThatOverflowAreMoreThanTheRows() {
    assertThatThrownBy(() -> SplitSizes.counts(Long.MAX_VALUE, 1).sizes(100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("9223372036854775808 rows but only 100 are available");
    assertThatThrownBy(
            () ->
                Permutation.builder(table)
                    .splitSequential(SplitSizes.counts(Long.MAX_VALUE, Long.MAX_VALUE, 2))
                    .toPermutations())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only 1000 are available");
    assertThat(SplitSizes.counts(999, 1).sizes(1000)).containsExactly(999, 1);
  }

  @Test
  void tooManyHashWeightsAreRefusedAtTheCall() {
    long[] weights = new long[70_000];
    Arrays.fill(weights, 1);
    assertThatThrownBy(() -> Permutation.builder(table).splitHash(List.of("id"), weights))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("70000 hash split weights")
        .hasMessageContaining(String.valueOf(SplitSizes.MAX_SPLITS));
  }
}
