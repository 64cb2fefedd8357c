package dev.lancetorch.internal.loader;

/**
 * A random permutation of {@code [0, n)} computed position by position, in constant memory: a
 * balanced Feistel network keyed from a seed over the smallest even power of two {@code >= n},
 * restricted to {@code [0, n)} by cycle walking (applying it again while the result is {@code >=
 * n}; a bijection of {@code [0, n)} because the network is one of the larger domain). The domain is
 * below {@code 4n}, so a position costs under four walks on average (six rounds each). Any {@code
 * n} up to {@code 2^62}: the order of an epoch of billions of rows is never materialized. Immutable
 * and thread-safe.
 */
public final class KeyedShuffle {
  private static final int ROUNDS = 6;
  private final long n;
  private final int halfBits;
  private final long halfMask;
  private final long[] keys = new long[ROUNDS];

  /**
   * @param n the number of positions (0 ≤ n ≤ 2^62)
   * @param seed the key (the same seed gives the same permutation)
   */
  public KeyedShuffle(long n, long seed) {
    if (n < 0 || n > (1L << 62)) {
      throw new IllegalArgumentException("a shuffle of " + n + " positions (0 to 2^62)");
    }
    this.n = n;
    int bits = n <= 1 ? 2 : 64 - Long.numberOfLeadingZeros(n - 1);
    this.halfBits = Math.max(1, (bits + 1) / 2);
    this.halfMask = (1L << halfBits) - 1;
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    for (int r = 0; r < ROUNDS; r++) {
      keys[r] = rnd.nextLong();
    }
  }

  /** The number of positions. */
  public long size() {
    return n;
  }

  /** The value at {@code position} ({@code 0 <= position < n}). */
  public long at(long position) {
    if (position < 0 || position >= n) {
      throw new IndexOutOfBoundsException("position " + position + " of a shuffle of " + n);
    }
    long x = position;
    do {
      x = encrypt(x);
    } while (x >= n);
    return x;
  }

  private long encrypt(long x) {
    long left = x >>> halfBits;
    long right = x & halfMask;
    for (int r = 0; r < ROUNDS; r++) {
      long next = left ^ (Seeds.splitMix64(right ^ keys[r]) & halfMask);
      left = right;
      right = next;
    }
    return (left << halfBits) | right;
  }
}
