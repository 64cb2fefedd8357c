package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.Seeds;

/**
 * A fresh permutation of all rows each epoch, keyed by the loader seed and the epoch ({@link
 * RowOrder#shuffled}: computed on demand, constant memory at any size).
 */
final class RandomSampler implements Sampler {
  @Override
  public long[] indices(long numRows, long seed, int epoch) {
    return order(numRows, seed, epoch).toArray();
  }

  @Override
  public RowOrder order(long numRows, long seed, int epoch) {
    return RowOrder.shuffled(numRows, Seeds.mix(seed, epoch));
  }
}
