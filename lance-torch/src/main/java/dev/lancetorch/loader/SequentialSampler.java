package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.Seeds;

final class SequentialSampler implements Sampler {
  @Override
  public long[] indices(long numRows, long seed, int epoch) {
    return Seeds.range(0, numRows);
  }
}
