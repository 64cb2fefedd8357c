package dev.lancetorch.permutation;

import java.io.Serializable;
import java.util.Arrays;

/**
 * How many rows each split of a random or sequential split gets: exactly one of ratios, counts or a fixed number of
 * equal splits.
 *
 * <p>Rounding: with {@code n} rows, split {@code k} gets {@code floor(ratio_k × n)} rows; when the ratios sum to 1
 * (within 1e-9) the leftover rows (fewer than the number of splits) go one each to the first splits, so every row is in
 * a split; when they sum to less than 1 the rest are left out. {@code fixed(N)} gives each split {@code n / N} rows and
 * the first {@code n % N} splits one more. Counts are exact.
 */
public abstract sealed class SplitSizes implements Serializable {
  private static final long serialVersionUID = 1L;

  private SplitSizes() {}

  /** Fractions of the rows; each ≥ 0, summing to ≤ 1. */
  public static SplitSizes ratios(double... ratios) {
    if (ratios.length == 0) {
      throw new IllegalArgumentException("ratios: at least one split");
    }
    double sum = 0;
    for (double r : ratios) {
      if (!(r >= 0) || Double.isInfinite(r)) {
        throw new IllegalArgumentException("ratios must be >= 0, got " + Arrays.toString(ratios));
      }
      sum += r;
    }
    if (sum > 1 + 1e-9) {
      throw new IllegalArgumentException("ratios must sum to <= 1, got " + Arrays.toString(ratios) + " = " + sum);
    }
    return new Ratios(ratios.clone());
  }

  /** Exact row counts; each ≥ 0, their sum at most the number of rows. */
  public static SplitSizes counts(long... counts) {
    if (counts.length == 0) {
      throw new IllegalArgumentException("counts: at least one split");
    }
    for (long c : counts) {
      if (c < 0) {
        throw new IllegalArgumentException("counts must be >= 0, got " + Arrays.toString(counts));
      }
    }
    return new Counts(counts.clone());
  }

  /** {@code n} splits of (nearly) equal size. */
  public static SplitSizes fixed(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("fixed number of splits must be > 0, got " + n);
    }
    return new Fixed(n);
  }

  /** Number of splits. */
  public abstract int numSplits();

  /** Rows of each split for a table of {@code n} (filtered) rows. */
  abstract long[] sizes(long n);

  static final class Ratios extends SplitSizes {
    private static final long serialVersionUID = 1L;
    private final double[] ratios;

    Ratios(double[] ratios) {
      this.ratios = ratios;
    }

    @Override
    public int numSplits() {
      return ratios.length;
    }

    @Override
    long[] sizes(long n) {
      long[] out = new long[ratios.length];
      long used = 0;
      double sum = 0;
      for (int k = 0; k < ratios.length; k++) {
        out[k] = (long) Math.floor(ratios[k] * n);
        used += out[k];
        sum += ratios[k];
      }
      if (Math.abs(sum - 1) <= 1e-9) {
        for (int k = 0; used < n; k = (k + 1) % out.length) {
          out[k]++;
          used++;
        }
      }
      return out;
    }
  }

  static final class Counts extends SplitSizes {
    private static final long serialVersionUID = 1L;
    private final long[] counts;

    Counts(long[] counts) {
      this.counts = counts;
    }

    @Override
    public int numSplits() {
      return counts.length;
    }

    @Override
    long[] sizes(long n) {
      long sum = Arrays.stream(counts).sum();
      if (sum > n) {
        throw new IllegalArgumentException("split counts " + Arrays.toString(counts) + " sum to " + sum
            + ", more than the " + n + " rows available");
      }
      return counts.clone();
    }
  }

  static final class Fixed extends SplitSizes {
    private static final long serialVersionUID = 1L;
    private final int n;

    Fixed(int n) {
      this.n = n;
    }

    @Override
    public int numSplits() {
      return n;
    }

    @Override
    long[] sizes(long rows) {
      long[] out = new long[n];
      for (int k = 0; k < n; k++) {
        out[k] = rows / n + (k < rows % n ? 1 : 0);
      }
      return out;
    }
  }
}
