package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.LoaderTask;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One worker's read tasks for a {@link StreamingDataset} epoch, as LanceDB's {@code streaming.py}
 * orders rows: one row per split per cycle, round robin over the worker's splits in order, the
 * resulting row stream cut into batches of {@code batchSize} rows. Each next row comes from the
 * split with the fewest rows delivered (the first such split in order): from equal starts that is
 * the plain round robin, and resuming from a state taken mid-cycle continues the cycle where it
 * stopped (all splits have the same length, so a split that has run out is never the one chosen).
 * Remembers the split of every row of every task, so that progress can be counted per split.
 */
final class RoundRobinTasks {
  final List<LoaderTask> tasks = new ArrayList<>();

  /** The split of each row of each of {@link #tasks} (by identity). */
  final Map<LoaderTask, int[]> splitsOfRows = new IdentityHashMap<>();

  /**
   * @param splits the worker's splits, in order
   * @param orders each split's row order (same index as {@code splits})
   * @param starts rows of each split already delivered (same index)
   */
  RoundRobinTasks(int epoch, List<Integer> splits, long[][] orders, long[] starts, int batchSize) {
    int n = splits.size();
    long[] next = starts.clone();
    long total = 0;
    for (int i = 0; i < n; i++) {
      total += Math.max(0, orders[i].length - next[i]);
    }
    long[] rows = new long[Math.toIntExact(total)];
    int[] splitOfRow = new int[rows.length];
    long[] posOfRow = new long[rows.length];
    int k = 0;
    while (k
        < rows.length) { // the split with the fewest rows delivered, the first of them on a tie
      int i = -1;
      for (int j = 0; j < n; j++) {
        if (next[j] < orders[j].length && (i < 0 || next[j] < next[i])) {
          i = j;
        }
      }
      posOfRow[k] = next[i];
      splitOfRow[k] = splits.get(i);
      rows[k++] = orders[i][(int) next[i]++];
    }
    for (int p = 0; p < rows.length; p += batchSize) {
      int end = Math.min(rows.length, p + batchSize);
      LoaderTask task =
          LoaderTask.of(Arrays.copyOfRange(rows, p, end), epoch, posOfRow[p], splitOfRow[p]);
      tasks.add(task);
      splitsOfRows.put(task, Arrays.copyOfRange(splitOfRow, p, end));
    }
  }
}
