package dev.lancetorch.internal.permutation;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * LanceDB's hash split ({@code Splitter::hash_split_id}): DataFusion's {@code create_hashes} over
 * the hash columns with {@code RandomState::with_seed(0)} ({@link FoldHash}), then {@code hash %
 * total_weight} (unsigned) placed among the cumulative weights; the share past the last weight is
 * the discard (split -1).
 *
 * <p>Per column, as DataFusion 54: integers, floats (their bit patterns), dates and timestamps are
 * hashed as their native width; the first column's hash is the value's hash, a later column's is
 * the value hashed by a hasher seeded with the hash so far (a float there is written as its
 * little-endian bytes, {@code Hasher::write}, not as a number). Strings (bytes, then {@code 0xff})
 * and binary (length, then bytes) — and booleans — are combined with the hash so far by {@code
 * combine_hashes(h, prev) = (17·37 + h)·37 + prev}. A null leaves the hash so far unchanged (0 in
 * the first column), so rows that are null in every hash column land in one split.
 */
public final class HashSplit {
  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final long[] thresholds;
  private final long totalWeight;

  HashSplit(long[] weights, long discardWeight) {
    thresholds = new long[weights.length];
    long acc = 0;
    for (int k = 0; k < weights.length; k++) {
      acc += weights[k];
      thresholds[k] = acc;
    }
    totalWeight = acc + discardWeight;
  }

  /**
   * Checks LanceDB's rules for hash weights and that their sum, with the discard weight, fits
   * LanceDB's unsigned 64-bit total ({@code weights.iter().sum::<u64>() + discard_weight}): every
   * threshold and the total are then exact as unsigned 64-bit values, as in LanceDB. A sum of 2^64
   * or more would wrap (LanceDB's release build) and is refused.
   *
   * @throws IllegalArgumentException naming the offending weights
   */
  public static void requireWeights(long[] weights, long discardWeight) {
    if (weights == null || weights.length == 0) {
      throw new IllegalArgumentException("Hash strategy requires at least one split weight");
    }
    if (weights.length > SplitSpec.MAX_SPLITS) {
      throw new IllegalArgumentException(
          weights.length
              + " hash split weights, more than the "
              + SplitSpec.MAX_SPLITS
              + " splits allowed (SplitSizes.MAX_SPLITS)");
    }
    for (long w : weights) {
      if (w <= 0) {
        throw new IllegalArgumentException(
            "Split weights must be greater than 0, got " + summary(weights));
      }
    }
    if (discardWeight < 0) {
      throw new IllegalArgumentException("discard weight must be >= 0, got " + discardWeight);
    }
    BigInteger total = BigInteger.valueOf(discardWeight);
    for (long w : weights) {
      total = total.add(BigInteger.valueOf(w));
    }
    if (total.bitLength() > 64) {
      throw new IllegalArgumentException(
          "hash split weights "
              + summary(weights)
              + " plus discard weight "
              + discardWeight
              + " sum to "
              + total
              + ", more than LanceDB's unsigned 64-bit total allows (at most 2^64 - 1 = "
              + U64_MAX
              + ")");
    }
  }

  private static String summary(long[] weights) {
    return weights.length <= 16
        ? Arrays.toString(weights)
        : Arrays.toString(Arrays.copyOf(weights, 16)).replace("]", ", … (" + weights.length + ")]");
  }

  /**
   * Checks at the call that LanceDB can hash {@code field} (the types {@link #assign} handles).
   *
   * @throws IllegalArgumentException naming the column and its type
   */
  public static void requireHashable(Field field, String table) {
    ArrowType t = field.getType();
    boolean ok =
        t instanceof ArrowType.Int
            || (t instanceof ArrowType.FloatingPoint f
                && f.getPrecision() != FloatingPointPrecision.HALF)
            || t instanceof ArrowType.Date
            || t instanceof ArrowType.Timestamp
            || t instanceof ArrowType.Bool
            || t instanceof ArrowType.Utf8
            || t instanceof ArrowType.LargeUtf8
            || t instanceof ArrowType.Binary
            || t instanceof ArrowType.LargeBinary;
    if (!ok) {
      IllegalArgumentException e = unhashable(field.getName(), t);
      throw new IllegalArgumentException(e.getMessage() + " (table '" + table + "')");
    }
  }

  private static IllegalArgumentException unhashable(String column, ArrowType type) {
    return new IllegalArgumentException(
        "splitHash: column '"
            + column
            + "' of type "
            + type
            + " cannot be hashed as LanceDB does (supported: integers, floats, dates, "
            + "timestamps, booleans, strings, binary)");
  }

  /** Fills {@code out[0..rows)} with each row's split, -1 for discarded rows. */
  void assign(List<FieldVector> cols, int rows, int[] out) {
    long[] hashes = new long[rows];
    for (int c = 0; c < cols.size(); c++) {
      hashColumn(cols.get(c), rows, hashes, c > 0);
    }
    for (int i = 0; i < rows; i++) {
      out[i] = split(hashes[i]);
    }
  }

  int split(long hash) {
    // unsigned throughout, as LanceDB's u64 (requireWeights keeps the total below 2^64)
    long h = Long.remainderUnsigned(hash, totalWeight);
    int lo = 0;
    int hi = thresholds.length;
    // first threshold > h (binary_search: Ok(i) -> i + 1, Err(i) -> i)
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(thresholds[mid], h) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == thresholds.length ? -1 : lo;
  }

  private static void hashColumn(FieldVector v, int rows, long[] hashes, boolean rehash) {
    for (int i = 0; i < rows; i++) {
      if (v.isNull(i)) {
        continue;
      }
      if (v instanceof VarCharVector s) {
        hashes[i] = combineOrSet(str(s.get(i)), hashes[i], rehash);
      } else if (v instanceof LargeVarCharVector s) {
        hashes[i] = combineOrSet(str(s.get(i)), hashes[i], rehash);
      } else if (v instanceof VarBinaryVector b) {
        hashes[i] = combineOrSet(bytes(b.get(i)), hashes[i], rehash);
      } else if (v instanceof LargeVarBinaryVector b) {
        hashes[i] = combineOrSet(bytes(b.get(i)), hashes[i], rehash);
      } else if (v instanceof BitVector b) {
        FoldHash h = FoldHash.withSeed(0);
        h.writeNum(b.get(i), 8);
        hashes[i] = combineOrSet(h.finish(), hashes[i], rehash);
      } else if (rehash && v instanceof Float8Vector x) {
        hashes[i] = seededBytes(hashes[i], Double.doubleToRawLongBits(x.get(i)), 8);
      } else if (rehash && v instanceof Float4Vector x) {
        hashes[i] = seededBytes(hashes[i], Float.floatToRawIntBits(x.get(i)), 4);
      } else {
        FoldHash h = FoldHash.withSeed(rehash ? hashes[i] : 0);
        writePrimitive(v, i, h);
        hashes[i] = h.finish();
      }
    }
  }

  private static void writePrimitive(FieldVector v, int i, FoldHash h) {
    if (v instanceof BigIntVector x) {
      h.writeNum(x.get(i), 64);
    } else if (v instanceof IntVector x) {
      h.writeNum(x.get(i) & 0xffffffffL, 32);
    } else if (v instanceof SmallIntVector x) {
      h.writeNum(x.get(i) & 0xffffL, 16);
    } else if (v instanceof TinyIntVector x) {
      h.writeNum(x.get(i) & 0xffL, 8);
    } else if (v instanceof UInt8Vector x) {
      h.writeNum(x.get(i), 64);
    } else if (v instanceof UInt4Vector x) {
      h.writeNum(x.get(i) & 0xffffffffL, 32);
    } else if (v instanceof UInt2Vector x) {
      h.writeNum(x.get(i), 16);
    } else if (v instanceof UInt1Vector x) {
      h.writeNum(x.get(i) & 0xffL, 8);
    } else if (v instanceof Float8Vector x) {
      h.writeNum(Double.doubleToRawLongBits(x.get(i)), 64);
    } else if (v instanceof Float4Vector x) {
      h.writeNum(Float.floatToRawIntBits(x.get(i)) & 0xffffffffL, 32);
    } else if (v instanceof DateDayVector x) {
      h.writeNum(x.get(i) & 0xffffffffL, 32);
    } else if (v instanceof DateMilliVector x) {
      h.writeNum(x.get(i), 64);
    } else if (v instanceof TimeStampVector x) {
      h.writeNum(x.get(i), 64);
    } else {
      throw unhashable(v.getName(), v.getField().getType());
    }
  }

  /**
   * A float in a later column: its native-endian bytes through {@code Hasher::write}, seeded with
   * the hash so far.
   */
  private static long seededBytes(long seed, long bits, int width) {
    byte[] b = new byte[width];
    for (int k = 0; k < width; k++) {
      b[k] = (byte) (bits >>> (8 * k));
    }
    FoldHash h = FoldHash.withSeed(seed);
    h.write(b);
    return h.finish();
  }

  private static long str(byte[] utf8) {
    FoldHash h = FoldHash.withSeed(0);
    h.writeStr(utf8);
    return h.finish();
  }

  private static long bytes(byte[] b) {
    FoldHash h = FoldHash.withSeed(0);
    h.writeBytes(b);
    return h.finish();
  }

  private static long combineOrSet(long h, long prev, boolean rehash) {
    return rehash ? (17 * 37L + h) * 37 + prev : h;
  }
}
