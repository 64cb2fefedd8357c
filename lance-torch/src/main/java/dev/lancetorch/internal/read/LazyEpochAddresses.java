package dev.lancetorch.internal.read;

import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * {@link EpochAddresses#of(List, LongUnaryOperator)}: the first row of every batch (by division for
 * uniform batches, else one {@code long} per batch), the addresses made from the batches a window
 * asks.
 */
final class LazyEpochAddresses implements EpochAddresses {
  private final List<long[]> batches;
  private final LongUnaryOperator addressOf;
  private final int uniform; // rows of every batch but the last, or -1
  private final long[] starts; // first row of each batch (+ the end), when not uniform
  private final int lastRows;
  private final long rows;

  LazyEpochAddresses(List<long[]> batches, LongUnaryOperator addressOf) {
    this.batches = batches;
    this.addressOf = addressOf;
    int n = batches.size();
    if (batches instanceof BatchRows br && br.uniformRows() > 0) {
      uniform = br.uniformRows();
      rows = br.totalRows();
      starts = null;
      lastRows = n == 0 ? 0 : br.rowsOf(n - 1);
    } else {
      uniform = -1;
      starts = new long[n + 1];
      for (int b = 0; b < n; b++) {
        int r = batches instanceof BatchRows br ? br.rowsOf(b) : batches.get(b).length;
        if (r <= 0) {
          throw new IllegalArgumentException("every batch needs at least one row: " + r);
        }
        starts[b + 1] = starts[b] + r;
      }
      rows = starts[n];
      lastRows = n == 0 ? 0 : (int) (starts[n] - starts[n - 1]);
    }
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public int batches() {
    return batches.size();
  }

  @Override
  public int batchRows(int b) {
    if (uniform > 0) {
      return b == batches.size() - 1 ? lastRows : uniform;
    }
    return (int) (starts[b + 1] - starts[b]);
  }

  private long start(int b) {
    return uniform > 0 ? (long) b * uniform : starts[b];
  }

  /** The batch holding row {@code row}. */
  private int batchOf(long row) {
    if (uniform > 0) {
      return (int) (row / uniform);
    }
    int i = java.util.Arrays.binarySearch(starts, row);
    return i >= 0 ? i : -i - 2;
  }

  @Override
  public void copy(long from, long[] dst, int n) {
    if (from < 0 || n < 0 || from + n > rows) {
      throw new IndexOutOfBoundsException(
          "rows [" + from + ", " + (from + n) + ") of an epoch of " + rows);
    }
    int done = 0;
    int b = batchOf(from);
    while (done < n) {
      long[] offsets = batches.get(b);
      int skip = (int) (from + done - start(b));
      int take = Math.min(offsets.length - skip, n - done);
      for (int i = 0; i < take; i++) {
        dst[done + i] = addressOf.applyAsLong(offsets[skip + i]);
      }
      done += take;
      b++;
    }
  }
}
