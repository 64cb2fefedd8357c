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
    long s0 = acc;
    long s1 = s0 + seeds[1];
    int off = 0;
    int rem = v.length;
    if (rem > 128) {
      long s2 = s0 + seeds[2];
      long s3 = s0 + seeds[3];
      if (rem > 256) {
        long s4 = s0 + seeds[4];
        long s5 = s0 + seeds[5];
        do {
          s0 = foldedMultiply(u64(v, off) ^ s0, u64(v, off + 48) ^ seeds[0]);
          s1 = foldedMultiply(u64(v, off + 8) ^ s1, u64(v, off + 56) ^ seeds[0]);
          s2 = foldedMultiply(u64(v, off + 16) ^ s2, u64(v, off + 64) ^ seeds[0]);
          s3 = foldedMultiply(u64(v, off + 24) ^ s3, u64(v, off + 72) ^ seeds[0]);
          s4 = foldedMultiply(u64(v, off + 32) ^ s4, u64(v, off + 80) ^ seeds[0]);
          s5 = foldedMultiply(u64(v, off + 40) ^ s5, u64(v, off + 88) ^ seeds[0]);
          off += 96;
          rem -= 96;
        } while (rem > 256);
        s0 ^= s4;
        s1 ^= s5;
      }
      do {
        s0 = foldedMultiply(u64(v, off) ^ s0, u64(v, off + 32) ^ seeds[0]);
        s1 = foldedMultiply(u64(v, off + 8) ^ s1, u64(v, off + 40) ^ seeds[0]);
        s2 = foldedMultiply(u64(v, off + 16) ^ s2, u64(v, off + 48) ^ seeds[0]);
        s3 = foldedMultiply(u64(v, off + 24) ^ s3, u64(v, off + 56) ^ seeds[0]);
        off += 64;
        rem -= 64;
      } while (rem > 128);
      s0 ^= s2;
      s1 ^= s3;
    }
    int end = off + rem;
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
