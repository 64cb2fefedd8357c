package dev.lancetorch.permutation;

import dev.lancetorch.FragmentInfo;
import dev.lancetorch.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.util.hash.MurmurHasher;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * The computed content of a permutation table: per split, base row addresses in permutation order. Built in memory
 * (see {@link PermutationBuilder} for the bound).
 */
final class PermutationPlan {
  private static final String ROW_ADDR = "_rowaddr";
  private static final String SPLIT_EXPR = "lancetorch_split";

  final long[][] splits;
  final List<String> names;

  private PermutationPlan(long[][] splits, List<String> names) {
    this.splits = splits;
    this.names = names;
  }

  long numRows() {
    long n = 0;
    for (long[] s : splits) {
      n += s.length;
    }
    return n;
  }

  Permutations toPermutations(Table base) {
    return Permutations.fromPlan(base, names == null ? List.of() : names, splits);
  }

  static PermutationPlan build(Table base, String filter, SplitSpec split, ShuffleSpec shuffle, long maxRows) {
    Rows rows;
    if (split instanceof SplitSpec.Calculated c) {
      rows = calculated(base, filter, c, maxRows);
    } else if (split instanceof SplitSpec.Hash h) {
      rows = hashed(base, filter, h, maxRows);
    } else {
      rows = new Rows(addresses(base, filter, maxRows), null, 1);
    }
    int n = rows.addrs.length;
    int[] ids = rows.ids;
    int numSplits = rows.numSplits;
    if (split instanceof SplitSpec.Sequential s) {
      numSplits = s.sizes().numSplits();
      ids = assignInOrder(n, s.sizes().sizes(n), identityOrder(n));
    } else if (split instanceof SplitSpec.Random r) {
      numSplits = r.sizes().numSplits();
      ids = assignInOrder(n, r.sizes().sizes(n), clumpOrder(n, r.clumpSize(), new SplittableRandom(r.seed())));
    }
    long[][] out = group(rows.addrs, ids, numSplits);
    if (shuffle != null) {
      for (int k = 0; k < out.length; k++) {
        out[k] = shuffled(out[k], shuffle.clumpSize(), new SplittableRandom(shuffle.seed() + 0x9E3779B97F4A7C15L * k));
      }
    }
    List<String> names = split == null ? null : split.names();
    return new PermutationPlan(out, names);
  }

  /** Filtered row addresses in storage order plus, when the split is computed per row, each row's split (-1: none). */
  private record Rows(long[] addrs, int[] ids, int numSplits) {}

  /** Addresses of all (filtered) rows in storage order; from fragment metadata alone when nothing is filtered out. */
  static long[] addresses(Table base, String filter, long maxRows) {
    List<FragmentInfo> frags = base.fragments();
    boolean noDeletions = frags.stream().allMatch(f -> f.numRows() == f.physicalRows());
    if (filter == null && noDeletions) {
      long total = frags.stream().mapToLong(FragmentInfo::numRows).sum();
      checkSize(base, total, maxRows);
      long[] out = new long[(int) total];
      int pos = 0;
      for (FragmentInfo f : frags) {
        long hi = (long) f.id() << 32;
        for (long i = 0; i < f.numRows(); i++) {
          out[pos++] = hi | i;
        }
      }
      return out;
    }
    LongArrayBuilder b = new LongArrayBuilder();
    try (ArrowReader r = base.query().select(List.of()).withRowAddress(true).where(filter).batchSize(65536)
        .toArrowReader()) {
      while (r.loadNextBatch()) {
        VectorSchemaRoot root = r.getVectorSchemaRoot();
        BaseIntVector a = (BaseIntVector) root.getVector(ROW_ADDR);
        checkSize(base, (long) b.size() + root.getRowCount(), maxRows);
        for (int i = 0; i < root.getRowCount(); i++) {
          b.add(a.getValueAsLong(i));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("scanning table '" + base.name() + "'", e);
    }
    return b.toArray();
  }

  private static Rows hashed(Table base, String filter, SplitSpec.Hash h, long maxRows) {
    double total = h.discardWeight();
    for (double w : h.weights()) {
      total += w;
    }
    double[] upper = new double[h.weights().length];
    double acc = 0;
    for (int k = 0; k < upper.length; k++) {
      acc += h.weights()[k] / total;
      upper[k] = acc;
    }
    LongArrayBuilder addrs = new LongArrayBuilder();
    List<int[]> idChunks = new ArrayList<>();
    MurmurHasher hasher = new MurmurHasher(0x5eed);
    try (ArrowReader r = base.query().select(h.columns()).withRowAddress(true).where(filter).batchSize(65536)
        .toArrowReader()) {
      while (r.loadNextBatch()) {
        VectorSchemaRoot root = r.getVectorSchemaRoot();
        BaseIntVector a = (BaseIntVector) root.getVector(ROW_ADDR);
        int rows = root.getRowCount();
        checkSize(base, (long) addrs.size() + rows, maxRows);
        int[] ids = new int[rows];
        List<FieldVector> cols = h.columns().stream().map(root::getVector).toList();
        for (int i = 0; i < rows; i++) {
          long x = 0x243F6A8885A308D3L;
          for (FieldVector v : cols) {
            x = x * 0x100000001B3L + (v.isNull(i) ? 0x6E756C6CL : v.hashCode(i, hasher));
          }
          double u = (mix64(x) >>> 11) * 0x1.0p-53;
          int k = 0;
          while (k < upper.length && u >= upper[k]) {
            k++;
          }
          ids[i] = k < upper.length ? k : -1;
          addrs.add(a.getValueAsLong(i));
        }
        idChunks.add(ids);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("scanning table '" + base.name() + "' for splitHash", e);
    }
    return new Rows(addrs.toArray(), concat(idChunks, addrs.size()), h.weights().length);
  }

  private static Rows calculated(Table base, String filter, SplitSpec.Calculated c, long maxRows) {
    String sql = "SELECT _rowaddr, CAST((" + c.sql() + ") AS BIGINT) AS " + SPLIT_EXPR + " FROM t"
        + (filter == null ? "" : " WHERE " + filter) + " ORDER BY _rowaddr";
    LongArrayBuilder addrs = new LongArrayBuilder();
    List<int[]> idChunks = new ArrayList<>();
    List<Long> badRows = new ArrayList<>();
    long badCount = 0;
    int limit = c.names() == null ? Integer.MAX_VALUE : c.names().size();
    int max = -1;
    try (ArrowReader r = SqlReads.query(base, sql)) {
      while (r.loadNextBatch()) {
        VectorSchemaRoot root = r.getVectorSchemaRoot();
        BaseIntVector a = (BaseIntVector) root.getVector(ROW_ADDR);
        FieldVector s = root.getVector(SPLIT_EXPR);
        int rows = root.getRowCount();
        checkSize(base, (long) addrs.size() + rows, maxRows);
        int[] ids = new int[rows];
        for (int i = 0; i < rows; i++) {
          long addr = a.getValueAsLong(i);
          long v = s.isNull(i) ? -1 : ((BaseIntVector) s).getValueAsLong(i);
          if (s.isNull(i) || v < 0 || v >= limit) {
            if (badRows.size() < 10) {
              badRows.add(addr);
            }
            badCount++;
            continue;
          }
          ids[i] = (int) v;
          max = Math.max(max, ids[i]);
          addrs.add(addr);
        }
        if (badCount == 0) {
          idChunks.add(ids);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("running splitCalculated on table '" + base.name() + "'", e);
    }
    if (badCount > 0) {
      throw new IllegalArgumentException("splitCalculated '" + c.sql() + "' on table '" + base.name() + "': "
          + badCount + " rows gave a null or out-of-range split (valid: 0.." + (limit == Integer.MAX_VALUE
          ? "2^31-1" : String.valueOf(limit - 1)) + "), e.g. rows at addresses "
          + badRows.stream().map(PermutationPlan::addressString).toList());
    }
    int numSplits = c.names() != null ? c.names().size() : max + 1;
    return new Rows(addrs.toArray(), concat(idChunks, addrs.size()), Math.max(numSplits, 1));
  }

  static String addressString(long addr) {
    return (addr >>> 32) + ":" + (addr & 0xFFFFFFFFL);
  }

  private static int[] concat(List<int[]> chunks, int n) {
    int[] out = new int[n];
    int pos = 0;
    for (int[] c : chunks) {
      System.arraycopy(c, 0, out, pos, c.length);
      pos += c.length;
    }
    return out;
  }

  private static void checkSize(Table base, long rows, long maxRows) {
    if (rows > maxRows || rows > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("permutation of table '" + base.name() + "' needs more than "
          + Math.min(maxRows, Integer.MAX_VALUE - 8) + " rows in memory; raise PermutationBuilder.maxRows or filter");
    }
  }

  private static int[] identityOrder(int n) {
    int[] o = new int[n];
    for (int i = 0; i < n; i++) {
      o[i] = i;
    }
    return o;
  }

  /** Row indexes in an order where runs of {@code clump} consecutive rows are shuffled as units. */
  private static int[] clumpOrder(int n, int clump, SplittableRandom rnd) {
    int clumps = (int) ((n + (long) clump - 1) / clump);
    int[] c = identityOrder(clumps);
    for (int i = clumps - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = c[i];
      c[i] = c[j];
      c[j] = t;
    }
    int[] o = new int[n];
    int pos = 0;
    for (int k : c) {
      long from = (long) k * clump;
      long to = Math.min(n, from + clump);
      for (long i = from; i < to; i++) {
        o[pos++] = (int) i;
      }
    }
    return o;
  }

  /** Walks rows in {@code order} giving split 0 its size, then split 1, ...; rows past the sum get -1. */
  private static int[] assignInOrder(int n, long[] sizes, int[] order) {
    int[] ids = new int[n];
    int pos = 0;
    for (int k = 0; k < sizes.length; k++) {
      for (long i = 0; i < sizes[k]; i++) {
        ids[order[pos++]] = k;
      }
    }
    while (pos < n) {
      ids[order[pos++]] = -1;
    }
    return ids;
  }

  /** Rows grouped by split, each split in storage order (a counting sort). */
  private static long[][] group(long[] addrs, int[] ids, int numSplits) {
    if (ids == null) {
      return new long[][] {addrs};
    }
    int[] counts = new int[numSplits];
    for (int id : ids) {
      if (id >= 0) {
        counts[id]++;
      }
    }
    long[][] out = new long[numSplits][];
    for (int k = 0; k < numSplits; k++) {
      out[k] = new long[counts[k]];
    }
    int[] fill = new int[numSplits];
    for (int i = 0; i < addrs.length; i++) {
      int id = ids[i];
      if (id >= 0) {
        out[id][fill[id]++] = addrs[i];
      }
    }
    return out;
  }

  /** Fisher–Yates over clumps of {@code clump} consecutive elements (1 = rows). */
  static long[] shuffled(long[] in, int clump, SplittableRandom rnd) {
    if (clump == 1) {
      long[] a = in.clone();
      for (int i = a.length - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      return a;
    }
    int[] order = clumpOrder(in.length, clump, rnd);
    long[] a = new long[in.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = in[order[i]];
    }
    return a;
  }

  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
