package dev.lancetorch.internal.loader;

/**
 * What a {@link WaitHistogram} holds so far: the count of waits, their 50th, 95th and 99th
 * percentiles and the longest, in nanoseconds. The loaders report it as the public {@code
 * WaitLatency} (same components).
 */
public record WaitPercentiles(
    long count, long p50Nanos, long p95Nanos, long p99Nanos, long maxNanos) {
  /** No wait recorded yet. */
  public static final WaitPercentiles NONE = new WaitPercentiles(0, 0, 0, 0, 0);
}
