package dev.lancetorch.internal.permutation;

import java.nio.charset.StandardCharsets;

/**
 * The per-value hash of LanceDB's hash splits: DataFusion 54's {@code create_hashes} with {@code
 * RandomState::with_seed(0)}, which is foldhash 0.2 ({@code fast} variant) with the per-hasher seed
 * {@code 0 ^ ARBITRARY3} and foldhash's fixed shared seed, fed through {@code std::hash::Hash} on
 * stable Rust (no {@code write_str} override, so strings hash their bytes then a {@code 0xff}
 * byte). 64-bit platform arithmetic (full 64×64→128 folded multiply), as on x86-64 and aarch64.
 * Verified against LanceDB's Node package (docs/lancedb-compat.md).
 *
 * <p>One instance is one {@code FoldHasher}; {@link #finish()} does not change it.
 */
final class FoldHash {
  static final long ARBITRARY3 = 0x082efa98ec4e6c89L;
  private static final long[] FIXED_SEEDS = {
    0xc0ac29b7c97c50ddL,
    0x3f84d5b5b5470917L,
    0x9216d5d98979fb1bL,
    0xd1310ba698dfb5acL,
    0x2ffd72dbd01adfb7L,
    0xb8e1afed6a267e96L
  };

  private long accumulator;
  private long spongeLo;
  private long spongeHi;
  private int spongeLen;

  /** A hasher of {@code SeedableRandomState::with_seed(seed, SharedSeed::global_fixed())}. */
  static FoldHash withSeed(long seed) {
    FoldHash h = new FoldHash();
    h.accumulator = seed ^ ARBITRARY3;
    return h;
  }

  static long foldedMultiply(long x, long y) {
    return x * y ^ SmallRng.mulHigh(x, y);
  }

  /**
   * {@code write_u8} .. {@code write_u64}: {@code bits} of 8, 16, 32 or 64; {@code x}
   * zero-extended.
   */
  void writeNum(long x, int bits) {
    if (spongeLen + bits > 128) {
      accumulator = foldedMultiply(spongeLo ^ accumulator, spongeHi ^ FIXED_SEEDS[0]);
      spongeLo = x;
      spongeHi = 0;
      spongeLen = bits;
    } else {
      if (spongeLen >= 64) {
        spongeHi |= x << (spongeLen - 64);
      } else {
        spongeLo |= x << spongeLen;
        if (spongeLen > 0 && spongeLen + bits > 64) {
          spongeHi |= x >>> (64 - spongeLen);
        }
      }
      spongeLen += bits;
    }
  }

  /** {@code Hasher::write}. */
  void write(byte[] b) {
    int len = b.length;
    accumulator = Long.rotateRight(accumulator, len);
    accumulator = len <= 16 ? bytesShort(b, accumulator) : bytesLong(b, accumulator);
  }

  /** {@code str::hash}: the bytes, then {@code write_u8(0xff)}. */
  void writeStr(byte[] utf8) {
    write(utf8);
    writeNum(0xff, 8);
  }

  void writeStr(String s) {
    writeStr(s.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code <[u8]>::hash}: the length as {@code usize}, then the bytes. */
  void writeBytes(byte[] b) {
    writeNum(b.length, 64);
    write(b);
  }

  long finish() {
    return spongeLen > 0
        ? foldedMultiply(spongeLo ^ accumulator, spongeHi ^ FIXED_SEEDS[0])
        : accumulator;
  }

  private static long bytesShort(byte[] b, long acc) {
    int len = b.length;
    long s0 = acc;
    long s1 = FIXED_SEEDS[1];
    if (len >= 8) {
      s0 ^= u64(b, 0);
      s1 ^= u64(b, len - 8);
    } else if (len >= 4) {
      s0 ^= u32(b, 0);
      s1 ^= u32(b, len - 4);
    } else if (len > 0) {
      s0 ^= b[0] & 0xffL;
      s1 ^= ((b[len - 1] & 0xffL) << 8) | (b[len / 2] & 0xffL);
    }
    return foldedMultiply(s0, s1);
  }

  private static long bytesLong(byte[] v, long acc) {
    long[] seeds = FIXED_SEEDS;
    long[] lanes = {
      acc, acc + seeds[1], acc + seeds[2], acc + seeds[3], acc + seeds[4], acc + seeds[5]
    };
    int off = 0;
    if (v.length > 128) {
      if (v.length > 256) {
        off = foldLanes(v, lanes, 6, off, 256);
        lanes[0] ^= lanes[4];
        lanes[1] ^= lanes[5];
      }
      off = foldLanes(v, lanes, 4, off, 128);
      lanes[0] ^= lanes[2];
      lanes[1] ^= lanes[3];
    }
    long s0 = lanes[0];
    long s1 = lanes[1];
    int rem = v.length - off;
    int end = v.length;
    s0 = foldedMultiply(u64(v, off) ^ s0, u64(v, end - 16) ^ seeds[0]);
    s1 = foldedMultiply(u64(v, off + 8) ^ s1, u64(v, end - 8) ^ seeds[0]);
    if (rem >= 32) {
      s0 = foldedMultiply(u64(v, off + 16) ^ s0, u64(v, end - 32) ^ seeds[0]);
      s1 = foldedMultiply(u64(v, off + 24) ^ s1, u64(v, end - 24) ^ seeds[0]);
      if (rem >= 64) {
        s0 = foldedMultiply(u64(v, off + 32) ^ s0, u64(v, end - 48) ^ seeds[0]);
        s1 = foldedMultiply(u64(v, off + 40) ^ s1, u64(v, end - 40) ^ seeds[0]);
        if (rem >= 96) {
          s0 = foldedMultiply(u64(v, off + 48) ^ s0, u64(v, end - 64) ^ seeds[0]);
          s1 = foldedMultiply(u64(v, off + 56) ^ s1, u64(v, end - 56) ^ seeds[0]);
        }
      }
    }
    return s0 ^ s1;
  }

  /**
   * foldhash's bulk loop: while more than {@code limit} bytes are left after {@code off}, folds the
   * next {@code 16 * count} bytes into the first {@code count} lanes; returns the new offset.
   */
  private static int foldLanes(byte[] v, long[] lanes, int count, int off, int limit) {
    int half = 8 * count;
    do {
      for (int i = 0; i < count; i++) {
        int at = off + 8 * i;
        lanes[i] = foldedMultiply(u64(v, at) ^ lanes[i], u64(v, at + half) ^ FIXED_SEEDS[0]);
      }
      off += 2 * half;
    } while (v.length - off > limit);
    return off;
  }

  private static long u64(byte[] b, int at) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[at + i] & 0xffL);
    }
    return v;
  }

  private static long u32(byte[] b, int at) {
    return (b[at] & 0xffL)
        | (b[at + 1] & 0xffL) << 8
        | (b[at + 2] & 0xffL) << 16
        | (b[at + 3] & 0xffL) << 24;
  }
}
