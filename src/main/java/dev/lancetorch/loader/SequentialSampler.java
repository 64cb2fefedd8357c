package dev.lancetorch.loader;

final class SequentialSampler implements Sampler {
  @Override
  public long[] indices(long numRows, long seed, int epoch) {
    return Seeds.range(0, numRows);
  }
}
