package dev.lancetorch.internal.permutation;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The computed content of a permutation table: per split, base row addresses in permutation order.
 * Built in memory (see {@code PermutationBuilder} for the bound).
 */
public final class PermutationPlan {
  final long[][] splits;
  final List<String> names;

  private PermutationPlan(long[][] splits, List<String> names) {
    this.splits = splits;
    this.names = names;
  }

  /** The split names (empty when the splits are unnamed), index = split id. */
  public List<String> splitNames() {
    return names == null ? List.of() : names;
  }

  /** Per split, the base row addresses in permutation order (not a copy). */
  public long[][] splits() {
    return splits;
  }

  /**
   * LanceDB's builder, step by step ({@code PermutationBuilder::build} in {@code lancedb}): the
   * filtered rows in storage order get their splits (random: a {@link LanceDbShuffle} of the rows
   * seeded with the split seed, then the first {@code sizes[0]} rows to split 0, the next to split
   * 1, ...; sequential: the same in storage order; hash and calculated: per row); a shuffle
   * reorders that sequence with its own seed, and the result is sorted by split id with Rust's
   * unstable sort ({@link UnstableSort}), which is what decides the order inside each split.
   */
  public static PermutationPlan build(
      BaseTable base, String filter, SplitSpec split, ShuffleSpec shuffle, long maxRows) {
    LongArrayBuilder addrs = new LongArrayBuilder();
    LongArrayBuilder ids = new LongArrayBuilder();
    int numSplits = Math.max(1, SplitSpec.declared(split));
    SplitAssigner assigner =
        split instanceof SplitSpec.Random ? null : SplitAssigner.of(base, filter, split);
    boolean perRow = split instanceof SplitSpec.Hash || split instanceof SplitSpec.Calculated;
    ScanBatches batches = sortsScanBatches(split, shuffle) ? ScanBatches.of(base) : null;
    long total = 0;
    try (RowStream rows = RowStream.open(base, filter, split)) {
      while (rows.next()) {
        total += rows.size;
        checkSize(base, total, maxRows);
        for (int i = 0; i < rows.size; i++) {
          int k = assigner != null ? assigner.next() : perRow ? rows.splits[i] : 0;
          if (batches != null) {
            batches.add(rows.addrs[i], k >= 0);
          }
          if (k >= 0) {
            addrs.add(rows.addrs[i]);
            ids.add(k);
            numSplits = Math.max(numSplits, k + 1);
          }
        }
      }
    }
    long[] a = addrs.toArray();
    long[] k = ids.toArray();
    if (batches != null) {
      int[] order = UnshuffledSortOrder.order(k, batches.starts(), batches.scanned());
      if (order != null) {
        a = permuted(a, order);
        k = permuted(k, order);
      }
    }
    if (split instanceof SplitSpec.Random r) {
      long[] sizes = r.sizes().sizes(total);
      int[] order = LanceDbShuffle.order(a.length, r.clumpSize(), r.seed(), total);
      int kept = (int) java.util.Arrays.stream(sizes).sum();
      long[] ra = new long[kept];
      long[] rk = new long[kept];
      int pos = 0;
      for (int s = 0; s < sizes.length; s++) {
        for (long j = 0; j < sizes[s]; j++, pos++) {
          ra[pos] = a[order[pos]];
          rk[pos] = s;
        }
      }
      a = ra;
      k = rk;
    }
    if (shuffle != null) {
      int[] order = LanceDbShuffle.order(a.length, shuffle.clumpSize(), shuffle.seed(), total);
      long[] sa = new long[a.length];
      long[] sk = new long[a.length];
      for (int i = 0; i < a.length; i++) {
        sa[i] = a[order[i]];
        sk[i] = k[order[i]];
      }
      int[] sorted = UnstableSort.sortPositions(sk);
      a = new long[sa.length];
      k = new long[sa.length];
      for (int i = 0; i < sorted.length; i++) {
        a[i] = sa[sorted[i]];
        k[i] = sk[sorted[i]];
      }
    }
    int[] counts = new int[numSplits];
    for (long s : k) {
      counts[(int) s]++;
    }
    long[][] out = new long[numSplits][];
    for (int s = 0; s < numSplits; s++) {
      out[s] = new long[counts[s]];
    }
    int[] fill = new int[numSplits];
    for (int i = 0; i < a.length; i++) {
      int s = (int) k[i];
      out[s][fill[s]++] = a[i];
    }
    return new PermutationPlan(out, split == null ? null : split.names());
  }

  /**
   * True when LanceDB sorts the scan's own batches by split id: sequential splits and no split,
   * without a shuffle (the order it leaves is {@link UnshuffledSortOrder}'s). Random splits reach
   * the sort as one shuffled batch; hash and calculated splits are not sorted.
   */
  public static boolean sortsScanBatches(SplitSpec split, ShuffleSpec shuffle) {
    return shuffle == null && (split == null || split instanceof SplitSpec.Sequential);
  }

  private static long[] permuted(long[] v, int[] order) {
    long[] out = new long[order.length];
    for (int i = 0; i < order.length; i++) {
      out[i] = v[order[i]];
    }
    return out;
  }

  public static String addressString(long addr) {
    return (addr >>> 32) + ":" + (addr & 0xFFFFFFFFL);
  }

  private static void checkSize(BaseTable base, long rows, long maxRows) {
    if (rows > maxRows || rows > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(
          "permutation of table '"
              + base.name()
              + "' needs more than "
              + Math.min(maxRows, Integer.MAX_VALUE - 8)
              + " rows in memory; raise PermutationBuilder.maxRows or filter");
    }
  }

  /**
   * Fisher–Yates over clumps of {@code clump} consecutive elements (1 = rows), for the spilled
   * shuffle beyond {@code maxRows} (not LanceDB's order: see docs/lancedb-compat.md).
   */
  static long[] shuffled(long[] in, int clump, SplittableRandom rnd) {
    int clumps = (int) ((in.length + (long) clump - 1) / clump);
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
    long[] a = new long[in.length];
    int pos = 0;
    for (int k : c) {
      long from = (long) k * clump;
      long to = Math.min(in.length, from + clump);
      for (long i = from; i < to; i++) {
        a[pos++] = in[(int) i];
      }
    }
    return a;
  }
}
