package dev.lancetorch.internal.permutation;

import java.security.SecureRandom;

/**
 * Rust {@code rand} 0.9's {@code SmallRng} on 64-bit platforms — Xoshiro256++ seeded by {@code
 * seed_from_u64} (SplitMix64 expansion) — with exactly the sampling LanceDB's permutation builder
 * uses: {@code random_range} over {@code u32}/{@code u64} (Canon's method with one bias-reduction
 * step, {@code rand}'s default without the {@code unbiased} feature) and {@code
 * SliceRandom::shuffle} (forward Fisher–Yates over positions 0..n-1 with {@code IncreasingUniform},
 * which draws one {@code u32} for several consecutive indexes). Same seed, same numbers as
 * LanceDB's Rust code. Not thread-safe.
 */
public final class SmallRng {
  private long s0;
  private long s1;
  private long s2;
  private long s3;

  private SmallRng(long seed) {
    long[] s = new long[4];
    long state = seed;
    for (int i = 0; i < 4; i++) {
      state += 0x9e3779b97f4a7c15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      s[i] = z ^ (z >>> 31);
    }
    s0 = s[0];
    s1 = s[1];
    s2 = s[2];
    s3 = s[3];
  }

  /** {@code SmallRng::seed_from_u64(seed)}. */
  static SmallRng seedFromU64(long seed) {
    return new SmallRng(seed);
  }

  /**
   * A seed drawn from the operating system, as LanceDB does ({@code SmallRng::from_os_rng}) when
   * none is given.
   */
  public static long drawSeed() {
    return new SecureRandom().nextLong();
  }

  long nextU64() {
    long result = Long.rotateLeft(s0 + s3, 23) + s0;
    long t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = Long.rotateLeft(s3, 45);
    return result;
  }

  /** {@code next_u32}: the high half of the next u64. */
  long nextU32() {
    return nextU64() >>> 32;
  }

  /** {@code random_range(0..bound)} for {@code u32}; {@code bound} in [1, 2^32). */
  long rangeU32(long bound) {
    long product = nextU32() * bound;
    long result = product >>> 32;
    long lo = product & 0xffffffffL;
    if (lo > ((-bound) & 0xffffffffL)) {
      long newHi = (nextU32() * bound) >>> 32;
      if (lo + newHi > 0xffffffffL) {
        result++;
      }
    }
    return result;
  }

  /** {@code random_range(0..bound)} for {@code u64}; {@code bound} > 0 (unsigned). */
  long rangeU64(long bound) {
    long x = nextU64();
    long result = mulHigh(x, bound);
    long lo = x * bound;
    if (Long.compareUnsigned(lo, -bound) > 0) {
      long newHi = mulHigh(nextU64(), bound);
      if (Long.compareUnsigned(lo + newHi, lo) < 0) {
        result++;
      }
    }
    return result;
  }

  /** High 64 bits of the unsigned 128-bit product. */
  static long mulHigh(long x, long y) {
    return Math.multiplyHigh(x, y) + ((x >> 63) & y) + ((y >> 63) & x);
  }

  /** {@code SliceRandom::shuffle} of {@code a} (lengths below 2^32 - 1, as every Java array). */
  void shuffle(long[] a) {
    int len = a.length;
    if (len <= 1) {
      return;
    }
    long n = 0;
    long chunk = 0;
    int chunkRemaining = 1; // IncreasingUniform::new(rng, 0)
    for (int i = 0; i < len; i++) {
      long nextN = n + 1;
      int nextRemaining;
      if (chunkRemaining == 0) {
        // calculate_bound_u32(nextN): the largest product nextN * (nextN+1) * ... that fits in u32
        long product = nextN;
        long current = nextN + 1;
        while (product * current <= 0xffffffffL) {
          product *= current;
          current++;
        }
        chunk = rangeU32(product);
        nextRemaining = (int) (current - nextN) - 1;
      } else {
        nextRemaining = chunkRemaining - 1;
      }
      int index;
      if (nextRemaining == 0) {
        index = (int) chunk;
      } else {
        index = (int) (chunk % nextN);
        chunk /= nextN;
      }
      chunkRemaining = nextRemaining;
      n = nextN;
      long t = a[i];
      a[i] = a[index];
      a[index] = t;
    }
  }
}
