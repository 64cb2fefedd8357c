package dev.lancetorch.internal.loader;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-bucket log histogram of durations in nanoseconds, cheap enough to record every batch:
 * values below 8 ns exactly, above that 8 buckets per power of two (a bucket's midpoint is within
 * 1/16 of any value in it). Recording is one atomic increment (plus a compare-and-set when a new
 * maximum is seen); any thread may record and read.
 */
public final class WaitHistogram {
  private static final int SUB_BITS = 3;
  private static final int SUB = 1 << SUB_BITS;
  private static final int BUCKETS = SUB + (63 - SUB_BITS) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong max = new AtomicLong();

  /** Records one duration (negative values count as 0). */
  public void record(long nanos) {
    long v = Math.max(0, nanos);
    counts.incrementAndGet(index(v));
    if (v > max.get()) {
      max.accumulateAndGet(v, Math::max);
    }
  }

  static int index(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int e = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
    int sub = (int) (v >>> (e - SUB_BITS)) & (SUB - 1);
    return SUB + (e - SUB_BITS) * SUB + sub;
  }

  /** The midpoint of bucket {@code i}'s values. */
  static long value(int i) {
    if (i < SUB) {
      return i;
    }
    int e = (i - SUB) / SUB + SUB_BITS;
    long sub = (i - SUB) % SUB;
    long low = (SUB + sub) << (e - SUB_BITS);
    long width = 1L << (e - SUB_BITS);
    return low + (width - 1) / 2;
  }

  /** The percentiles so far (a copy; recording goes on). */
  public WaitPercentiles latency() {
    long[] c = new long[BUCKETS];
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      c[i] = counts.get(i);
      total += c[i];
    }
    if (total == 0) {
      return WaitPercentiles.NONE;
    }
    long top = max.get();
    return new WaitPercentiles(
        total,
        Math.min(top, percentile(c, total, 0.50)),
        Math.min(top, percentile(c, total, 0.95)),
        Math.min(top, percentile(c, total, 0.99)),
        top);
  }

  private static long percentile(long[] c, long total, double q) {
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < c.length; i++) {
      seen += c[i];
      if (seen >= rank) {
        return value(i);
      }
    }
    return value(c.length - 1);
  }
}
