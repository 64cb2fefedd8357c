package dev.lancetorch.loader;

/** 0, 1, ..., numRows - 1 (computed on demand: no array). */
final class SequentialSampler implements Sampler {
  @Override
  public long[] indices(long numRows, long seed, int epoch) {
    return order(numRows, seed, epoch).toArray();
  }

  @Override
  public RowOrder order(long numRows, long seed, int epoch) {
    return RowOrder.range(numRows);
  }
}
