package dev.lancetorch.internal.permutation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The model of LanceDB's sort of unshuffled scan batches: the in-place threshold, the spill bound
 * and the merge's tie breaking. (The model is checked against LanceDB itself by
 * LanceDbUnshuffledFixturesTest and {@code make interop}.)
 */
class UnshuffledSortOrderTest {
  /** {@code batches} batches of {@code rows} rows (the last {@code last} rows), all in split 0. */
  static int[] orderOf(int batches, int rows, int last, long[] keys) {
    int[] starts = IntStream.range(0, batches).map(b -> b * rows).toArray();
    long[] scanned = new long[batches];
    Arrays.fill(scanned, rows);
    scanned[batches - 1] = last;
    return UnshuffledSortOrder.order(keys, starts, scanned);
  }

  @Test
  void belowOneMebibyteReservedTheOrderIsStorageOrder() {
    // 32,767 rows in 1024-row batches reserve 2 × 16 bytes a row: just under 1 MiB
    assertThat(orderOf(32, 1024, 1023, new long[32767])).isNull();
    // 32,768 rows reserve exactly 1 MiB: merged (LanceDB switches between these two sizes)
    int[] merged = orderOf(32, 1024, 1024, new long[32768]);
    assertThat(merged).isNotNull().hasSize(32768);
    assertThat(IntStream.of(merged).sorted().toArray())
        .isEqualTo(IntStream.range(0, 32768).toArray());
    assertThat(merged).isNotEqualTo(IntStream.range(0, 32768).toArray());
    assertThat(orderOf(1, 50000, 50000, new long[50000])).as("one batch").isNull();
  }

  @Test
  void beyondTheMemoryPoolTheSortWouldSpill() {
    long[] fits = new long[(int) (UnshuffledSortOrder.MAX_MERGED_ROWS / 1024)];
    Arrays.fill(fits, 1024);
    assertThat(UnshuffledSortOrder.spills(fits)).isFalse();
    long[] more = Arrays.copyOf(fits, fits.length + 1);
    more[fits.length] = 1024;
    assertThat(UnshuffledSortOrder.spills(more)).isTrue();
  }

  @Test
  void equalKeysAlternateAtTheRootSmallerIndexWinsBelowIt() {
    // two streams of equal keys meet at the root: its round-robin tie breaker alternates them
    assertThat(TieBreakingMerge.order(new long[6], new int[] {0, 3}, new int[] {3, 6}))
        .containsExactly(0, 3, 1, 4, 2, 5);
    // four streams: 0 and 1 meet below the root (node 2), 2 and 3 too (node 3), where the smaller
    // index wins; the root alternates between their winners, and when a subtree's winner changes
    // (stream 0 drained) the new one meets a stream already counted in this tie round
    int[] four =
        TieBreakingMerge.order(new long[8], new int[] {0, 2, 4, 6}, new int[] {2, 4, 6, 8});
    assertThat(four).containsExactly(0, 4, 1, 2, 3, 5, 6, 7);
    // different keys: sorted by key, the tie breaker only among equal ones
    long[] keys = {0, 0, 1, 0, 1, 1};
    assertThat(TieBreakingMerge.order(keys, new int[] {0, 3}, new int[] {3, 6}))
        .containsExactly(0, 3, 1, 2, 4, 5);
  }
}
