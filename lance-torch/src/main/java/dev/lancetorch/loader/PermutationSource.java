package dev.lancetorch.loader;

import dev.lancetorch.internal.read.PlanAccess;
import dev.lancetorch.internal.read.PlannedReads;
import dev.lancetorch.permutation.Permutation;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Permutation} as the loaders' {@link SelectableSource}: every call goes to the
 * permutation (which does not know the loaders, so that the packages depend loader → permutation
 * only). {@link #close()} closes the permutation: the loaders close only the handles they reopened,
 * never the one they were built with.
 */
final class PermutationSource<B> implements SelectableSource<B>, PlannedReads.Source {
  private final Permutation<B> permutation;

  PermutationSource(Permutation<B> permutation) {
    this.permutation = Objects.requireNonNull(permutation, "source");
  }

  @Override
  public long numRows() {
    return permutation.numRows();
  }

  @Override
  public B takeOffsets(long[] offsets) {
    return permutation.takeOffsets(offsets);
  }

  @Override
  public void planReads(List<long[]> batches) {
    PlanAccess.planReads(permutation, batches);
  }

  /**
   * The workers of an epoch share one {@link PlannedReads} of it, planned on this (the loader's
   * own) permutation, so its memory cache and row addresses outlive each epoch's worker handles. A
   * single worker streaming an unshuffled identity permutation keeps its own stream instead.
   */
  @Override
  public PlannedReads share(List<long[]> batches, int workers, PlannedReads after) {
    return PlanAccess.share(permutation, batches, workers, after);
  }

  /** A worker's handle formats its batches of the shared read: its permutation. */
  @Override
  public Object planHandle(Object workerHandle) {
    return workerHandle instanceof PermutationSource<?> p ? p.permutation : null;
  }

  @Override
  public BatchSource<B> reopen() {
    return new PermutationSource<>(permutation.reopen());
  }

  @Override
  public long sizeInBytes(B batch) {
    return permutation.sizeInBytes(batch);
  }

  @Override
  public SelectableSource<B> selectColumns(String... columns) {
    return new PermutationSource<>(permutation.selectColumns(columns));
  }

  @Override
  public SelectableSource<B> filter(String sqlFilter) {
    return new PermutationSource<>(permutation.filter(sqlFilter));
  }

  @Override
  public void close() {
    permutation.close();
  }

  @Override
  public String toString() {
    return permutation.toString();
  }
}
