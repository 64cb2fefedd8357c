package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;

final class WeightedRandomSampler implements Sampler {
  private final double[] cumulative;
  private final int numSamples;

  public WeightedRandomSampler(double[] weights, int numSamples) {
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
    if (numRows != cumulative.length) {
      throw new IllegalArgumentException(
          cumulative.length + " weights for a source of " + numRows + " rows");
    }
    SplittableRandom rnd = new SplittableRandom(Seeds.mix(seed, epoch));
    double total = cumulative[cumulative.length - 1];
    long[] out = new long[numSamples];
    for (int i = 0; i < numSamples; i++) {
      double u = rnd.nextDouble() * total;
      int k = Arrays.binarySearch(cumulative, u);
      k = k >= 0 ? k + 1 : -k - 1; // first index with cumulative > u
      while (k < cumulative.length - 1 && cumulative[k] == (k == 0 ? 0 : cumulative[k - 1])) {
        k++; // skip zero-weight rows
      }
      out[i] = Math.min(k, cumulative.length - 1);
    }
    return out;
  }
}
