package dev.lancetorch.internal.read;

import java.util.List;

/**
 * How the loaders' wrapper of a permutation plans its reads without public planning methods on
 * {@code Permutation}: {@code Permutation} installs its {@link Access} once, from its static
 * initializer (the JDK's "shared secrets" pattern, as {@code internal.bridge.BatchAccess}).
 * Permutations are passed as {@code Object}: this package sits below the permutation package.
 */
public final class PlanAccess {
  /** Implemented by the permutation package; not for other use. */
  public interface Access {
    /**
     * The permutation's hint that its next {@code takeOffsets} calls ask these batches in this
     * order (empty: drops the plan); the batches must not be modified afterwards.
     */
    void planReads(Object permutation, List<long[]> batches);

    /**
     * One planned read of {@code batches} for {@code workers} workers, owned by the caller, read
     * after {@code after} (another one of this permutation, or null); null when a single worker
     * streams them itself or no plan applies (then each worker plans its own share).
     */
    PlannedReads share(Object permutation, List<long[]> batches, int workers, PlannedReads after);
  }

  private static volatile Access access;

  private PlanAccess() {}

  /**
   * Called once, by {@code Permutation}'s static initializer.
   *
   * @throws IllegalStateException on a second call
   */
  public static synchronized void install(Access a) {
    if (access != null) {
      throw new IllegalStateException("PlanAccess is already installed");
    }
    access = a;
  }

  /** See {@link Access#planReads}. */
  public static void planReads(Object permutation, List<long[]> batches) {
    access().planReads(permutation, batches);
  }

  /** See {@link Access#share}. */
  public static PlannedReads share(
      Object permutation, List<long[]> batches, int workers, PlannedReads after) {
    return access().share(permutation, batches, workers, after);
  }

  private static Access access() {
    Access a = access;
    if (a == null) {
      throw new IllegalStateException("Permutation is not initialized");
    }
    return a;
  }
}
