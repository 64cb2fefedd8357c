package dev.lancetorch.internal.loader;

/**
 * PyTorch {@code DistributedSampler} sharding of one epoch's global order of {@code n} positions:
 * pad by wrapping around (or drop the tail when {@code dropUneven}) to a multiple of worldSize,
 * then rank r takes positions r, r + worldSize, r + 2·worldSize, ... Positions and sizes are {@code
 * long}: a shard is computed position by position ({@link #globalPosition}), never materialized.
 */
public final class DistributedShard {
  private DistributedShard() {}

  /** The positions of one rank's share of an order of {@code n} positions. */
  public static long size(long n, int worldSize, boolean dropUneven) {
    if (n == 0) {
      return 0;
    }
    return dropUneven ? n / worldSize : (n + worldSize - 1) / worldSize;
  }

  /**
   * The global position of position {@code k} of rank {@code rank}'s share ({@code k <} {@link
   * #size}); past {@code n} (padding) it wraps to the start.
   */
  public static long globalPosition(long k, long n, int rank, int worldSize) {
    long pos = rank + k * worldSize;
    return pos < n ? pos : pos % n;
  }
}
