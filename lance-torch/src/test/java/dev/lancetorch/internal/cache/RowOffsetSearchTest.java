package dev.lancetorch.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A cache file's row offsets are uint32 (a row address keeps 32 bits for the row's offset in its
 * fragment): offsets past 2^31 are found, never mistaken for negative ones.
 */
class RowOffsetSearchTest {
  @Test
  void findsOffsetsOnBothSidesOf2To31() {
    long[] wanted = {0, 5, (1L << 31) - 1, 1L << 31, 3_000_000_000L, 0xFFFFFFFEL};
    int[] stored = new int[wanted.length];
    for (int i = 0; i < wanted.length; i++) {
      stored[i] = (int) wanted[i]; // as the fill writes them
    }
    for (int i = 0; i < wanted.length; i++) {
      assertThat(CachedFragment.indexOf(java.nio.IntBuffer.wrap(stored), wanted[i])).isEqualTo(i);
    }
    for (long missing : new long[] {1, 6, (1L << 31) + 1, 2_999_999_999L, 0xFFFFFFFFL}) {
      assertThat(CachedFragment.indexOf(java.nio.IntBuffer.wrap(stored), missing)).isEqualTo(-1);
    }
    assertThat(CachedFragment.indexOf(java.nio.IntBuffer.wrap(stored), -1)).isEqualTo(-1);
    assertThat(CachedFragment.indexOf(java.nio.IntBuffer.wrap(stored), 1L << 32)).isEqualTo(-1);
    assertThat(CachedFragment.indexOf(java.nio.IntBuffer.wrap(new int[0]), 0)).isEqualTo(-1);
  }
}
