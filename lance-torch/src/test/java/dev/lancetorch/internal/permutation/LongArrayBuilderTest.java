package dev.lancetorch.internal.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Presized builders fill their array in place; others (and overfull ones) grow by doubling. */
class LongArrayBuilderTest {
  static LongArrayBuilder filled(LongArrayBuilder b, int n) {
    for (int i = 0; i < n; i++) {
      b.add(3L * i - 7);
    }
    return b;
  }

  static long[] expected(int n) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = 3L * i - 7;
    }
    return a;
  }

  @Test
  void aBuilderFilledToItsCapacityHandsOverItsArray() {
    LongArrayBuilder b = filled(new LongArrayBuilder(1000), 1000);
    assertThat(b.toArray()).containsExactly(expected(1000));
    assertThat(b.toArray()).as("no copy").isSameAs(b.toArray());
  }

  @Test
  void growsPastItsCapacityAndTrimsTheRest() {
    for (int capacity : new int[] {0, 1, 2, 7, 16}) {
      for (int n : new int[] {0, 1, 5, 17, 100}) {
        LongArrayBuilder b = filled(new LongArrayBuilder(capacity), n);
        assertThat(b.toArray())
            .as("capacity %d, %d added", capacity, n)
            .containsExactly(expected(n));
      }
    }
    LongArrayBuilder partly = filled(new LongArrayBuilder(10), 4);
    assertThat(partly.toArray()).as("a trimmed copy").isNotSameAs(partly.toArray());
    assertThat(filled(new LongArrayBuilder(), 40).toArray()).containsExactly(expected(40));
  }

  @Test
  void aNegativeCapacityIsRefused() {
    assertThatThrownBy(() -> new LongArrayBuilder(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
