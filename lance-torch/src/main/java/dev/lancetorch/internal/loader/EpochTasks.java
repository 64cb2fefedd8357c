package dev.lancetorch.internal.loader;

import dev.lancetorch.internal.read.BatchRows;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The tasks of one epoch that are still to be yielded, in batch order, each made when asked from
 * the epoch's batches (which may themselves be made when asked): an epoch of millions of batches
 * holds no task list. The batches yielded before are the first {@code contiguous} ones and the
 * sorted {@code beyond} (a resumed epoch; 0 and none for a fresh one). Immutable.
 */
public final class EpochTasks extends AbstractList<LoaderTask> implements RandomAccess {
  private final List<long[]> batches;
  private final int epoch;
  private final long contiguous;
  private final long[] beyond;
  private final int size;

  /**
   * @param batches the epoch's batches (borrowed; read when a task is asked)
   * @param contiguous the leading batches already yielded
   * @param beyond batches above {@code contiguous} already yielded, strictly increasing, each below
   *     {@code batches.size()}
   */
  public EpochTasks(List<long[]> batches, int epoch, long contiguous, long[] beyond) {
    if (contiguous < 0 || contiguous > batches.size()) {
      throw new IllegalArgumentException(
          contiguous + " batches yielded of an epoch of " + batches.size());
    }
    this.batches = batches;
    this.epoch = epoch;
    this.contiguous = contiguous;
    this.beyond = beyond.clone();
    this.size = Math.toIntExact(batches.size() - contiguous - beyond.length);
  }

  /** The batch index of the {@code k}-th remaining task. */
  public long batchIndex(int k) {
    Objects.checkIndex(k, size);
    long b = contiguous + k;
    for (long y : beyond) { // few: at most workers × prefetch
      if (y > b) {
        break;
      }
      b++;
    }
    return b;
  }

  /** The epoch's batches' sizes, when they know them without being made (else null). */
  BatchRows batchRows() {
    return batches instanceof BatchRows b ? b : null;
  }

  /** Rows of the batches yielded before ({@link #batchRows()} must be non-null). */
  long yieldedRows() {
    BatchRows b = batchRows();
    long rows = 0;
    if (b.uniformRows() > 0 && contiguous < batches.size()) {
      rows = contiguous * b.uniformRows(); // all full: the short one is the last
    } else {
      for (int i = 0; i < contiguous; i++) {
        rows += b.rowsOf(i);
      }
    }
    for (long y : beyond) {
      rows += b.rowsOf((int) y);
    }
    return rows;
  }

  /** The offsets of the {@code k}-th remaining task, without making the task. */
  long[] offsetsOf(int k) {
    return batches.get((int) batchIndex(k));
  }

  @Override
  public LoaderTask get(int k) {
    long b = batchIndex(k);
    return LoaderTask.of(batches.get((int) b), epoch, b, -1);
  }

  @Override
  public int size() {
    return size;
  }
}
