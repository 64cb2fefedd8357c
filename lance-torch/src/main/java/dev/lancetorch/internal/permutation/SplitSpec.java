package dev.lancetorch.internal.permutation;

import java.util.List;

/**
 * The split part of a {@code PermutationBuilder}. {@code names} is null when splits are unnamed.
 */
public sealed interface SplitSpec {
  /** The most splits a permutation may have (the public {@code SplitSizes.MAX_SPLITS}). */
  int MAX_SPLITS = 1 << 16;

  /**
   * How many rows each split of {@code n} rows gets: the arithmetic of the public {@code
   * SplitSizes} (ratios, counts, fixed), which implements it.
   */
  interface Sizes {
    /** The number of splits. */
    int numSplits();

    /** The rows of each split out of {@code n} rows. */
    long[] sizes(long n);
  }

  List<String> names();

  record Random(Sizes sizes, long seed, int clumpSize, List<String> names) implements SplitSpec {}

  record Sequential(Sizes sizes, List<String> names) implements SplitSpec {}

  record Hash(List<String> columns, long[] weights, long discardWeight, List<String> names)
      implements SplitSpec {}

  /**
   * {@code anchorColumn}: a column the read projects next to an expression that reads no column
   * (null otherwise), see {@link CalculatedSplit}.
   */
  record Calculated(String sql, List<String> names, String anchorColumn) implements SplitSpec {}

  /**
   * The number of splits {@code spec} declares — 1 without a spec — or 0 when the data decides (an
   * unnamed calculated split: the largest index + 1). Every path (in memory, permutation table)
   * reports at least this many splits, empty ones included.
   */
  static int declared(SplitSpec spec) {
    if (spec == null) {
      return 1;
    }
    if (spec.names() != null) {
      return spec.names().size();
    }
    if (spec instanceof Random r) {
      return r.sizes().numSplits();
    }
    if (spec instanceof Sequential s) {
      return s.sizes().numSplits();
    }
    return spec instanceof Hash h ? h.weights().length : 0;
  }
}
