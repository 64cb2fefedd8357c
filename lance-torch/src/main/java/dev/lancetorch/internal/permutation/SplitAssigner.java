package dev.lancetorch.internal.permutation;

import java.util.SplittableRandom;

/**
 * Assigns splits to rows as they stream by in storage order, in O(number of splits) memory:
 * sequential splits by position, random splits by sequential selection sampling (each row joins
 * split k with probability remaining_k / remaining_rows, which gives exactly the requested sizes,
 * every assignment equally likely).
 */
public abstract class SplitAssigner {
  /** The split of the next row, or -1 when it is in none. */
  abstract int next();

  /**
   * The assigner of {@code spec}, or null when the split comes per row from the data (or there is
   * one split).
   */
  static SplitAssigner of(BaseTable base, String filter, SplitSpec spec) {
    if (spec instanceof SplitSpec.Sequential s) {
      return new Sequential(s.sizes().sizes(count(base, filter)));
    }
    if (spec instanceof SplitSpec.Random r && r.clumpSize() == 1) {
      long n = count(base, filter);
      return new Random(r.sizes().sizes(n), n, r.seed());
    }
    return null;
  }

  public static long count(BaseTable base, String filter) {
    return base.countRows(filter);
  }

  static final class Sequential extends SplitAssigner {
    private final long[] sizes;
    private int split;
    private long used;

    Sequential(long[] sizes) {
      this.sizes = sizes;
    }

    @Override
    int next() {
      while (split < sizes.length && used == sizes[split]) {
        split++;
        used = 0;
      }
      if (split == sizes.length) {
        return -1;
      }
      used++;
      return split;
    }
  }

  static final class Random extends SplitAssigner {
    private final long[] remaining;
    private long total;
    private final SplittableRandom rnd;

    Random(long[] sizes, long n, long seed) {
      remaining = java.util.Arrays.copyOf(sizes, sizes.length + 1);
      long sum = 0;
      for (long s : sizes) {
        sum += s;
      }
      remaining[sizes.length] = n - sum; // rows in no split
      total = n;
      rnd = new SplittableRandom(seed);
    }

    @Override
    int next() {
      if (total <= 0) {
        return -1;
      }
      long u = rnd.nextLong(total);
      int k = 0;
      while (u >= remaining[k]) {
        u -= remaining[k];
        k++;
      }
      remaining[k]--;
      total--;
      return k == remaining.length - 1 ? -1 : k;
    }
  }
}
