package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.Seeds;

final class RandomSampler implements Sampler {
  @Override
  public long[] indices(long numRows, long seed, int epoch) {
    long[] a = Seeds.range(0, numRows);
    Seeds.shuffle(a, Seeds.mix(seed, epoch));
    return a;
  }
}
