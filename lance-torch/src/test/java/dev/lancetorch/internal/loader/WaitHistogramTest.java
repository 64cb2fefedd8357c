package dev.lancetorch.internal.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Issue 24 item 21: the data-wait histogram's percentiles against exact ones, and its cost. */
class WaitHistogramTest {

  @Test
  void percentilesAreWithinTheBucketErrorOfTheExactOnes() {
    Random r = new Random(5);
    long[] values = new long[100_000];
    WaitHistogram h = new WaitHistogram();
    for (int i = 0; i < values.length; i++) {
      // log-normal around 50 µs with a long tail, as waits are
      values[i] = (long) Math.exp(Math.log(50_000) + 1.5 * r.nextGaussian());
      h.record(values[i]);
    }
    Arrays.sort(values);
    WaitPercentiles l = h.latency();
    assertThat(l.count()).isEqualTo(values.length);
    assertThat(l.maxNanos()).isEqualTo(values[values.length - 1]);
    assertThat((double) l.p50Nanos()).isCloseTo(values[49_999], within(values[49_999] / 16.0));
    assertThat((double) l.p95Nanos()).isCloseTo(values[94_999], within(values[94_999] / 16.0));
    assertThat((double) l.p99Nanos()).isCloseTo(values[98_999], within(values[98_999] / 16.0));
  }

  @Test
  void smallAndHugeValuesAndTheEmptyHistogram() {
    WaitHistogram h = new WaitHistogram();
    assertThat(h.latency()).isEqualTo(WaitPercentiles.NONE);
    for (long v = 0; v < 8; v++) {
      assertThat(WaitHistogram.value(WaitHistogram.index(v))).isEqualTo(v); // exact below 8 ns
    }
    for (long v : new long[] {8, 9, 15, 16, 1_000, 123_456_789, Long.MAX_VALUE}) {
      long mid = WaitHistogram.value(WaitHistogram.index(v));
      assertThat((double) mid).isCloseTo(v, within(v / 16.0 + 1));
    }
    h.record(-5); // a clock step back counts as no wait
    h.record(Long.MAX_VALUE);
    assertThat(h.latency().count()).isEqualTo(2);
    assertThat(h.latency().p50Nanos()).isZero();
    assertThat(h.latency().maxNanos()).isEqualTo(Long.MAX_VALUE);
  }

  /** Prints the cost of one record (reported in the lane's notes); loose bound only. */
  @Test
  void recordingIsCheap() {
    WaitHistogram h = new WaitHistogram();
    Random r = new Random(1);
    long[] values = new long[1 << 16];
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) Math.exp(Math.log(50_000) + 1.5 * r.nextGaussian());
    }
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long t0 = System.nanoTime();
      for (int k = 0; k < 20; k++) {
        for (long v : values) {
          h.record(v);
        }
      }
      best = Math.min(best, System.nanoTime() - t0);
    }
    double perRecord = best / (20.0 * values.length);
    long t0 = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      h.latency();
    }
    double perLatency = (System.nanoTime() - t0) / 1000.0;
    System.out.printf(
        "WaitHistogram: %.1f ns per record, %.0f ns per latency() read%n", perRecord, perLatency);
    assertThat(perRecord).isLessThan(1_000); // far below a batch's cost, even on a loaded machine
  }
}
