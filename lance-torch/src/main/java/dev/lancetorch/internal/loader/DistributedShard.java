package dev.lancetorch.internal.loader;

/**
 * PyTorch {@code DistributedSampler} sharding of one epoch's global order: pad by wrapping around
 * (or drop the tail when {@code dropUneven}) to a multiple of worldSize, then rank r takes
 * positions r, r + worldSize, r + 2·worldSize, ...
 */
public final class DistributedShard {
  private DistributedShard() {}

  public static long[] shard(long[] global, int rank, int worldSize, boolean dropUneven) {
    if (worldSize == 1) {
      return global;
    }
    int n = global.length;
    int perRank = dropUneven ? n / worldSize : (n + worldSize - 1) / worldSize;
    if (!dropUneven && n == 0) {
      return new long[0];
    }
    long[] out = new long[perRank];
    for (int k = 0; k < perRank; k++) {
      int pos = rank + k * worldSize;
      out[k] = global[pos % n]; // pos >= n only when padding: wrap to the start
    }
    return out;
  }
}
