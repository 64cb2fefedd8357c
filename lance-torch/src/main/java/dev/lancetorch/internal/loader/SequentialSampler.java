package dev.lancetorch.internal.loader;

import dev.lancetorch.loader.Sampler;

public final class SequentialSampler implements Sampler {
  @Override
  public long[] indices(long numRows, long seed, int epoch) {
    return Seeds.range(0, numRows);
  }
}
