package dev.lancetorch.permutation;

import java.util.List;

/** The split part of a {@link PermutationBuilder}. {@code names} is null when splits are unnamed. */
sealed interface SplitSpec {
  List<String> names();

  record Random(SplitSizes sizes, long seed, int clumpSize, List<String> names) implements SplitSpec {}

  record Sequential(SplitSizes sizes, List<String> names) implements SplitSpec {}

  record Hash(List<String> columns, long[] weights, long discardWeight, List<String> names)
      implements SplitSpec {}

  record Calculated(String sql, List<String> names) implements SplitSpec {}
}
