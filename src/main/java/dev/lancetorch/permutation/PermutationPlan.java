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
  final long[][] splits;
  final List<String> names;

  private PermutationPlan(long[][] splits, List<String> names) {
    this.splits = splits;
    this.names = names;
  }

  Permutations toPermutations(Table base) {
    return Permutations.fromPlan(base, names == null ? List.of() : names, splits);
  }

  static PermutationPlan build(Table base, String filter, SplitSpec split, ShuffleSpec shuffle, long maxRows) {
    List<LongArrayBuilder> parts = new ArrayList<>();
    int numSplits = split instanceof SplitSpec.Random r ? r.sizes().numSplits()
        : split instanceof SplitSpec.Sequential s ? s.sizes().numSplits()
        : split instanceof SplitSpec.Hash h ? h.weights().length
        : split != null && split.names() != null ? split.names().size() : 1;
    for (int k = 0; k < numSplits; k++) {
      parts.add(new LongArrayBuilder());
    }
    if (split instanceof SplitSpec.Random r && r.clumpSize() > 1) {
      randomClumps(base, filter, r, maxRows, parts);
    } else {
      SplitAssigner assigner = SplitAssigner.of(base, filter, split);
      boolean perRow = split instanceof SplitSpec.Hash || split instanceof SplitSpec.Calculated;
      long total = 0;
      try (RowStream rows = RowStream.open(base, filter, split)) {
        while (rows.next()) {
          total += rows.size;
          checkSize(base, total, maxRows);
          for (int i = 0; i < rows.size; i++) {
            int k = assigner != null ? assigner.next() : perRow ? rows.splits[i] : 0;
            if (k >= 0) {
              while (parts.size() <= k) {
                parts.add(new LongArrayBuilder());
              }
              parts.get(k).add(rows.addrs[i]);
            }
          }
        }
      }
    }
    long[][] out = new long[parts.size()][];
    for (int k = 0; k < out.length; k++) {
      out[k] = parts.get(k).toArray();
      if (shuffle != null) {
        out[k] = shuffled(out[k], shuffle.clumpSize(), new SplittableRandom(shuffle.seed() + 0x9E3779B97F4A7C15L * k));
      }
    }
    return new PermutationPlan(out, split == null ? null : split.names());
  }

  /** Random split of clumps of consecutive rows: clumps in a seeded random order fill split 0, then 1, .... */
  private static void randomClumps(Table base, String filter, SplitSpec.Random r, long maxRows,
      List<LongArrayBuilder> parts) {
    LongArrayBuilder all = new LongArrayBuilder();
    try (RowStream rows = RowStream.open(base, filter, r)) {
      while (rows.next()) {
        checkSize(base, (long) all.size() + rows.size, maxRows);
        for (int i = 0; i < rows.size; i++) {
          all.add(rows.addrs[i]);
        }
      }
    }
    long[] addrs = all.toArray();
    int n = addrs.length;
    int[] ids = assignInOrder(n, r.sizes().sizes(n), clumpOrder(n, r.clumpSize(), new SplittableRandom(r.seed())));
    for (int i = 0; i < n; i++) {
      if (ids[i] >= 0) {
        parts.get(ids[i]).add(addrs[i]);
      }
    }
  }

  static String addressString(long addr) {
    return (addr >>> 32) + ":" + (addr & 0xFFFFFFFFL);
  }

  private static void checkSize(Table base, long rows, long maxRows) {
    if (rows > maxRows || rows > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("permutation of table '" + base.name() + "' needs more than "
          + Math.min(maxRows, Integer.MAX_VALUE - 8) + " rows in memory; raise PermutationBuilder.maxRows or filter");
    }
  }

  /** Row indexes in an order where runs of {@code clump} consecutive rows are shuffled as units. */
  private static int[] clumpOrder(int n, int clump, SplittableRandom rnd) {
    int clumps = (int) ((n + (long) clump - 1) / clump);
    int[] c = new int[clumps];
    for (int i = 0; i < clumps; i++) {
      c[i] = i;
    }
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
}
