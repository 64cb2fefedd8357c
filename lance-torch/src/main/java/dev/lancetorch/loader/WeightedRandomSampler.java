package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.Seeds;
import java.util.Arrays;

/**
 * {@code numSamples} offsets drawn with replacement, offset i with probability {@code weights[i] /
 * sum}. Draw {@code k} of an epoch is a pure function of (seed, epoch, k) — a counter-based draw
 * (SplitMix64 of the key and {@code k}) — so the order is computed on demand ({@link #order}):
 * {@code numSamples} may exceed 2^31.
 */
final class WeightedRandomSampler implements Sampler {
  private final double[] cumulative;
  private final long numSamples;

  WeightedRandomSampler(double[] weights, long numSamples) {
    if (weights.length == 0 || numSamples < 0) {
      throw new IllegalArgumentException("need weights and numSamples >= 0");
    }
    cumulative = new double[weights.length];
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
        throw new IllegalArgumentException(
            "weight " + i + " is not a finite non-negative number: " + weights[i]);
      }
      sum += weights[i];
      cumulative[i] = sum;
    }
    if (sum <= 0) {
      throw new IllegalArgumentException("weights sum to zero");
    }
    this.numSamples = numSamples;
  }

  @Override
  public long[] indices(long numRows, long seed, int epoch) {
    return order(numRows, seed, epoch).toArray();
  }

  @Override
  public RowOrder order(long numRows, long seed, int epoch) {
    if (numRows != cumulative.length) {
      throw new IllegalArgumentException(
          cumulative.length + " weights for a source of " + numRows + " rows");
    }
    long key = Seeds.mix(seed, epoch);
    return new Draws(key);
  }

  /** The offset of the first cumulative weight above {@code u}, skipping zero-weight rows. */
  private int offsetOf(double u) {
    int k = Arrays.binarySearch(cumulative, u);
    k = k >= 0 ? k + 1 : -k - 1; // first index with cumulative > u
    while (k < cumulative.length - 1 && cumulative[k] == (k == 0 ? 0 : cumulative[k - 1])) {
      k++; // skip zero-weight rows
    }
    return Math.min(k, cumulative.length - 1);
  }

  /** An epoch's draws. */
  private final class Draws implements RowOrder {
    private final long key;

    Draws(long key) {
      this.key = key;
    }

    @Override
    public long size() {
      return numSamples;
    }

    @Override
    public long get(long k) {
      java.util.Objects.checkIndex(k, numSamples);
      long z = Seeds.splitMix64(key + (k + 1) * 0x9E3779B97F4A7C15L);
      double u = (z >>> 11) * 0x1.0p-53 * cumulative[cumulative.length - 1];
      return offsetOf(u);
    }
  }
}
