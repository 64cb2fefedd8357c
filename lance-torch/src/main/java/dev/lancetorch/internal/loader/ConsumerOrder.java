package dev.lancetorch.internal.loader;

import dev.lancetorch.internal.read.BatchRows;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The order in which an in-order consumer takes the workers' tasks — round-robin over the workers
 * that still have tasks — which is the order of an epoch's shared read: the position of each
 * worker's task in it ({@link #index}) and the tasks' offsets in it ({@link #offsets}). For tasks
 * dealt round-robin ({@link Dealt}, what the loaders make) both are arithmetic and views of the
 * epoch's task list (an epoch of any number of batches holds no array); other task lists are
 * numbered once.
 */
abstract sealed class ConsumerOrder {
  /** The position in the consumer's order of worker {@code w}'s task {@code j}. */
  abstract int index(int w, int j);

  /** Every task's offsets, in the consumer's order (a view; each task read when asked). */
  abstract List<long[]> offsets();

  /**
   * The offsets of {@code tasks}, in order: a view (each task read when asked) that knows the
   * batches' sizes when the tasks are an epoch's whose batches do ({@link BatchRows}).
   */
  static List<long[]> offsetsOf(List<LoaderTask> tasks) {
    return tasks instanceof EpochTasks e && e.batchRows() != null
        ? new SizedOffsets(e)
        : new Offsets(tasks);
  }

  static ConsumerOrder of(List<List<LoaderTask>> perWorker) {
    return perWorker instanceof Dealt d ? new RoundRobin(d) : new Numbered(perWorker);
  }

  /**
   * Tasks dealt to {@code n} workers: task i to worker {@code i % n}, as its task {@code i / n}.
   * The workers' lists are views of {@code tasks}.
   */
  static final class Dealt extends AbstractList<List<LoaderTask>> implements RandomAccess {
    final List<LoaderTask> tasks;
    private final int workers;

    Dealt(List<LoaderTask> tasks, int workers) {
      this.tasks = tasks;
      this.workers = Math.max(1, workers);
    }

    @Override
    public List<LoaderTask> get(int w) {
      java.util.Objects.checkIndex(w, workers);
      if (workers == 1) {
        return tasks;
      }
      int count = Math.max(0, (tasks.size() - w + workers - 1) / workers);
      return new AbstractList<>() {
        @Override
        public LoaderTask get(int j) {
          java.util.Objects.checkIndex(j, count);
          return tasks.get(w + j * workers);
        }

        @Override
        public int size() {
          return count;
        }
      };
    }

    @Override
    public int size() {
      return workers;
    }
  }

  /** Dealt round-robin: the consumer's order is the task list's own. */
  private static final class RoundRobin extends ConsumerOrder {
    private final Dealt dealt;

    RoundRobin(Dealt dealt) {
      this.dealt = dealt;
    }

    @Override
    int index(int w, int j) {
      return w + j * dealt.workers;
    }

    @Override
    List<long[]> offsets() {
      return offsetsOf(dealt.tasks);
    }
  }

  /** Any other assignment: each task's position numbered once. */
  private static final class Numbered extends ConsumerOrder {
    private final int[][] at;
    private final LoaderTask[] inOrder;

    Numbered(List<List<LoaderTask>> perWorker) {
      int n = perWorker.size();
      at = new int[n][];
      int longest = 0;
      int total = 0;
      for (int w = 0; w < n; w++) {
        at[w] = new int[perWorker.get(w).size()];
        longest = Math.max(longest, at[w].length);
        total += at[w].length;
      }
      inOrder = new LoaderTask[total];
      int k = 0;
      for (int j = 0; j < longest; j++) {
        for (int w = 0; w < n; w++) {
          if (j < at[w].length) {
            inOrder[k] = perWorker.get(w).get(j);
            at[w][j] = k++;
          }
        }
      }
    }

    @Override
    int index(int w, int j) {
      return at[w][j];
    }

    @Override
    List<long[]> offsets() {
      return new Offsets(List.of(inOrder));
    }
  }

  /** The tasks' offsets. */
  private static class Offsets extends AbstractList<long[]> implements RandomAccess {
    final List<LoaderTask> tasks;

    Offsets(List<LoaderTask> tasks) {
      this.tasks = tasks;
    }

    @Override
    public long[] get(int k) {
      return tasks.get(k).offsets();
    }

    @Override
    public int size() {
      return tasks.size();
    }
  }

  /** The offsets of an epoch's remaining tasks whose batches know their sizes. */
  private static final class SizedOffsets extends Offsets implements BatchRows {
    private final EpochTasks epoch;
    private final BatchRows rows;

    SizedOffsets(EpochTasks epoch) {
      super(epoch);
      this.epoch = epoch;
      this.rows = epoch.batchRows();
    }

    @Override
    public long[] get(int k) {
      return epoch.offsetsOf(k); // a task's min/max pass is not needed for its offsets
    }

    @Override
    public int rowsOf(int k) {
      return rows.rowsOf((int) epoch.batchIndex(k));
    }

    @Override
    public long totalRows() {
      return rows.totalRows() - epoch.yieldedRows();
    }

    @Override
    public int uniformRows() {
      return rows.uniformRows(); // a subset of uniform batches, in order, is uniform
    }
  }
}
