package dev.lancetorch.permutation;

import dev.lancetorch.internal.permutation.SplitSpec;
import java.io.Serializable;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * How many rows each split of a random or sequential split gets: exactly one of ratios, counts or a
 * fixed number of equal splits. Rounding and validation are LanceDB's ({@code
 * SplitSizes::to_counts} / {@code validate} in {@code
 * lancedb/src/dataloader/permutation/split.rs}), so the same call gives the same sizes in both
 * libraries.
 *
 * <p>Ratios: split {@code k} gets {@code round(ratio_k × n)} rows (half away from zero); if that
 * sums to more than {@code n}, one row is taken from each split in turn (from the first) until it
 * fits; if the ratios sum to 1 within half a row ({@code |n − Σratio·n| < 0.5}), rows lost to
 * rounding are given back one each from the first split. A ratio whose share is below one row
 * ({@code ratio × n < 1}) is an error. {@code fixed(N)} gives each split {@code n / N} rows and
 * drops the remainder. Counts are exact and must each be &gt; 0.
 */
public abstract sealed class SplitSizes implements Serializable, SplitSpec.Sizes {
  private static final long serialVersionUID = 1L;

  /**
   * The most splits a permutation may have ({@value}): more ratios, counts or {@code fixed} splits,
   * or a {@code splitCalculated} expression yielding a larger index, is an error.
   */
  public static final int MAX_SPLITS = SplitSpec.MAX_SPLITS;

  private SplitSizes() {}

  /** Fractions of the rows; each in [0, 1], summing to ≤ 1. */
  public static SplitSizes ratios(double... ratios) {
    if (ratios.length == 0) {
      throw new IllegalArgumentException("ratios: at least one split");
    }
    requireAtMostMaxSplits(ratios.length);
    double sum = 0;
    for (double r : ratios) {
      if (!(r >= 0 && r <= 1)) {
        throw new IllegalArgumentException(
            "Split percentages must be between 0.0 and 1.0, got " + Arrays.toString(ratios));
      }
      sum += r;
    }
    if (sum > 1.0) {
      throw new IllegalArgumentException(
          "Split percentages must sum to 1.0 or less, got "
              + Arrays.toString(ratios)
              + " = "
              + sum);
    }
    return new Ratios(ratios.clone());
  }

  /** Exact row counts; each &gt; 0, their sum at most the number of rows. */
  public static SplitSizes counts(long... counts) {
    if (counts.length == 0) {
      throw new IllegalArgumentException("counts: at least one split");
    }
    requireAtMostMaxSplits(counts.length);
    for (long c : counts) {
      if (c <= 0) {
        throw new IllegalArgumentException(
            "Split counts must be greater than 0, got " + Arrays.toString(counts));
      }
    }
    return new Counts(counts.clone());
  }

  /**
   * {@code n} splits of {@code rows / n} rows each (the remainder is left out). As in LanceDB, each
   * split needs at least one row: building over fewer than {@code n} rows is an error.
   */
  public static SplitSizes fixed(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("fixed number of splits must be > 0, got " + n);
    }
    requireAtMostMaxSplits(n);
    return new Fixed(n);
  }

  private static void requireAtMostMaxSplits(int n) {
    if (n > MAX_SPLITS) {
      throw new IllegalArgumentException(
          n + " splits, more than the " + MAX_SPLITS + " allowed (SplitSizes.MAX_SPLITS)");
    }
  }

  /** Number of splits. */
  @Override
  public abstract int numSplits();

  /**
   * Rows of each split for a table of {@code n} (filtered) rows; throws as LanceDB's {@code
   * validate}.
   */
  @Override
  public abstract long[] sizes(long n);

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
    public long[] sizes(long n) {
      for (double p : ratios) {
        if (p * (double) n < 1.0) {
          throw new IllegalArgumentException(
              "One of the splits has "
                  + (p * 100.0)
                  + "% of "
                  + n
                  + " rows which rounds to 0 rows");
        }
      }
      long[] counts = new long[ratios.length];
      double ratioSum = 0;
      long sum = 0;
      for (int k = 0; k < ratios.length; k++) {
        counts[k] = Math.round(ratios[k] * (double) n);
        ratioSum += ratios[k];
        sum += counts[k];
      }
      boolean basicallyOne = Math.abs((double) n - ratioSum * (double) n) < 0.5;
      long excess = sum - n;
      for (int k = 0; excess > 0; k = (k + 1) % counts.length) {
        if (counts[k] > 0) {
          counts[k]--;
          excess--;
        }
      }
      for (int k = 0; basicallyOne && excess < 0; k = (k + 1) % counts.length) {
        counts[k]++;
        excess++;
      }
      return counts;
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
    public long[] sizes(long n) {
      // exact: counts are each > 0, so a sum past Long.MAX_VALUE is certainly more than n
      BigInteger sum = BigInteger.ZERO;
      for (long c : counts) {
        sum = sum.add(BigInteger.valueOf(c));
      }
      if (sum.compareTo(BigInteger.valueOf(n)) > 0) {
        throw new IllegalArgumentException(
            "Split counts specified " + sum + " rows but only " + n + " are available");
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
    public long[] sizes(long rows) {
      if (n > rows) {
        throw new IllegalArgumentException(
            "Split fixed config specified "
                + n
                + " splits but only "
                + rows
                + " rows are available.  Must have at least 1 row per split.");
      }
      long[] out = new long[n];
      Arrays.fill(out, rows / n);
      return out;
    }
  }
}
