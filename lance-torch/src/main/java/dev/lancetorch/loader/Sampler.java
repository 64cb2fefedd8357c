package dev.lancetorch.loader;

/**
 * Chooses which row offsets one epoch visits, and in which order (PyTorch's {@code Sampler}).
 *
 * <p>A sampler must be a pure function of {@code (numRows, seed, epoch)}: every rank of a
 * distributed run and every resumed run recomputes the same global order from it.
 *
 * <p>Size: the loaders read a sampler through {@link #order}, a {@link RowOrder} addressed by
 * {@code long} positions. {@link #sequential()}, {@link #random()} and {@link #weighted} compute it
 * on demand (no array: any number of rows, constant memory); {@link #subset} and a sampler that
 * only implements {@link #indices} hold their array, so such an epoch is limited to about 2^31
 * offsets.
 */
@FunctionalInterface
public interface Sampler {
  /** The offsets visited in this epoch, in order (each in {@code [0, numRows)}). */
  long[] indices(long numRows, long seed, int epoch);

  /**
   * The same offsets as {@link #indices}, as a {@link RowOrder}: what the loaders read. The default
   * wraps {@link #indices}; a sampler of very large sources overrides it to compute each position
   * on demand (and its {@code indices} as {@code order(...).toArray()}).
   */
  default RowOrder order(long numRows, long seed, int epoch) {
    return new RowOrders.ArrayOrder(indices(numRows, seed, epoch)); // fresh: not copied
  }

  /** 0, 1, ..., numRows-1. */
  static Sampler sequential() {
    return new SequentialSampler();
  }

  /** A fresh permutation of all rows each epoch, from {@code seed} and {@code epoch}. */
  static Sampler random() {
    return new RandomSampler();
  }

  /**
   * {@code numSamples} offsets drawn with replacement, offset i with probability {@code weights[i]
   * / sum} (PyTorch's {@code WeightedRandomSampler} with {@code replacement=True}). {@code
   * weights.length} must equal the source's {@code numRows}.
   */
  static Sampler weighted(double[] weights, int numSamples) {
    return new WeightedRandomSampler(weights, numSamples);
  }

  /**
   * As {@link #weighted(double[], int)}, any number of samples: each draw is computed when asked (a
   * function of the seed, the epoch and its position), so an epoch of more than 2^31 draws costs
   * constant memory.
   */
  static Sampler weighted(double[] weights, long numSamples) {
    return new WeightedRandomSampler(weights, numSamples);
  }

  /**
   * Only these offsets, in the given order, or freshly shuffled each epoch when {@code shuffle}.
   */
  static Sampler subset(long[] offsets, boolean shuffle) {
    return new SubsetSampler(offsets, shuffle);
  }
}
