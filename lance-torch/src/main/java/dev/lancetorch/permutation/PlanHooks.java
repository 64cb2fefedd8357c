package dev.lancetorch.permutation;

import dev.lancetorch.internal.read.PlanAccess;
import dev.lancetorch.internal.read.PlannedReads;
import java.util.List;

/**
 * The permutation's planning calls for the loaders ({@link PlanAccess}), installed by {@link
 * Permutation}'s static initializer: what the loaders' wrapper of a permutation called as public
 * methods of {@code Permutation} before.
 */
final class PlanHooks implements PlanAccess.Access {
  @Override
  public void planReads(Object permutation, List<long[]> batches) {
    ((Permutation<?>) permutation).planReads(batches);
  }

  /**
   * The workers of an epoch share one {@link PlannedBatches} of it, planned on the loader's own
   * permutation, so its memory cache and row addresses outlive each epoch's worker handles. A
   * single worker streaming an unshuffled identity permutation keeps its own stream instead.
   */
  @Override
  public PlannedReads share(
      Object permutation, List<long[]> batches, int workers, PlannedReads after) {
    Permutation<?> p = (Permutation<?>) permutation;
    if (workers == 1 && p.streams(batches)) {
      return null;
    }
    return p.planBatches(batches, after instanceof PlannedBatches<?> a ? a : null);
  }
}
