package dev.lancetorch.internal.loader;

import dev.lancetorch.internal.read.PlannedReads;

/**
 * A worker's handle seen through the epoch's {@link PlannedReads}: the batch of the task being
 * processed ({@link #expect}) comes from the shared read, anything else (a transform's row-by-row
 * retry) from the worker's own handle. Borrows both; {@link #close()} does nothing (the pool closes
 * the handle). Used by its worker thread only.
 *
 * <p>Not a second read-ahead: it reads nothing ahead itself. It is the loader's {@link RowSource}
 * face of one worker over the epoch's {@link PlannedReads} (a worker's tasks are a subset of the
 * epoch's batches, so it maps each task to its index in the shared plan).
 */
final class SharedHandle<B> implements RowSource<B> {
  private final RowSource<B> handle;
  private final PlannedReads shared;
  private final Object planHandle;
  private final java.util.function.IntUnaryOperator planIndex;
  private long[] expected;
  private int index;

  /**
   * @param planIndex the position in the shared read of each of this worker's tasks
   * @param planHandle what the shared read formats this worker's batches with ({@link
   *     PlannedReads.Source#planHandle})
   */
  SharedHandle(
      RowSource<B> handle,
      PlannedReads shared,
      java.util.function.IntUnaryOperator planIndex,
      Object planHandle) {
    this.handle = handle;
    this.shared = shared;
    this.planIndex = planIndex;
    this.planHandle = planHandle;
  }

  /** The worker's task {@code j} is next: its offsets (the very array the processor will ask). */
  void expect(int j, long[] offsets) {
    expected = offsets;
    index = planIndex.applyAsInt(j);
  }

  @Override
  public long numRows() {
    return handle.numRows();
  }

  @Override
  @SuppressWarnings("unchecked")
  public B takeOffsets(long[] offsets) {
    if (offsets == expected) {
      expected = null;
      return (B) shared.take(index, planHandle);
    }
    return handle.takeOffsets(offsets);
  }

  @Override
  public RowSource<B> reopen() {
    return handle.reopen();
  }

  @Override
  public long sizeInBytes(B batch) {
    return handle.sizeInBytes(batch);
  }

  @Override
  public void close() {}
}
