package dev.lancetorch.internal.loader;

import java.util.SplittableRandom;

/** Deterministic seed derivation and shuffling shared by samplers and the streaming dataset. */
public final class Seeds {
  private Seeds() {}

  /** A well-mixed seed from a base seed and any number of components (epoch, split, ...). */
  public static long mix(long seed, long... parts) {
    long h = new SplittableRandom(seed).nextLong();
    for (long p : parts) {
      h = new SplittableRandom(h ^ (p * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L)).nextLong();
    }
    return h;
  }

  /** Fisher-Yates shuffle in place. */
  public static void shuffle(long[] a, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      long t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /**
   * SplitMix64's finalizer: a bijection of 64-bit values in which every input bit reaches every
   * output bit.
   */
  public static long splitMix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
