package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.WaitPercentiles;
import java.util.Locale;

/**
 * How long the training loop waited for its batches: percentiles of the time each {@code
 * hasNext()}/{@code next()} spent waiting for the next batch to be ready (0 when it was), from a
 * fixed-bucket log histogram (8 buckets per power of two: a percentile is within about 6% of the
 * exact value; {@code maxNanos} is exact).
 *
 * @param count batches waited for
 * @param p50Nanos median wait
 * @param p95Nanos 95th percentile
 * @param p99Nanos 99th percentile
 * @param maxNanos longest wait
 */
public record WaitLatency(long count, long p50Nanos, long p95Nanos, long p99Nanos, long maxNanos) {
  /** No batch waited for yet. */
  public static final WaitLatency NONE = new WaitLatency(0, 0, 0, 0, 0);

  /** The same percentiles as a wait histogram holds them. */
  static WaitLatency of(WaitPercentiles p) {
    return new WaitLatency(p.count(), p.p50Nanos(), p.p95Nanos(), p.p99Nanos(), p.maxNanos());
  }

  /** E.g. {@code "wait p50 0.02 ms, p95 1.30 ms, p99 4.10 ms"}. */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "wait p50 %.2f ms, p95 %.2f ms, p99 %.2f ms (max %.2f ms, %d batches)",
        p50Nanos / 1e6,
        p95Nanos / 1e6,
        p99Nanos / 1e6,
        maxNanos / 1e6,
        count);
  }
}
