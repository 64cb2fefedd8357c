package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.Seeds;

final class SubsetSampler implements Sampler {
  private final long[] offsets;
  private final boolean shuffle;

  public SubsetSampler(long[] offsets, boolean shuffle) {
    this.offsets = offsets.clone();
    this.shuffle = shuffle;
  }

  @Override
  public long[] indices(long numRows, long seed, int epoch) {
    for (long o : offsets) {
      if (o < 0 || o >= numRows) {
        throw new IllegalArgumentException("subset offset " + o + " outside [0, " + numRows + ")");
      }
    }
    long[] a = offsets.clone();
    if (shuffle) {
      Seeds.shuffle(a, Seeds.mix(seed, epoch));
    }
    return a;
  }
}
