package dev.lancetorch.internal.read;

/**
 * {@link RowSelection#planned(long, long, int, ReadTable)}: rows {@code [first, first + rows)} of a
 * selection cut into batches of {@code batchSize} (the last shorter), their addresses copied from
 * the selection when a window asks. Immutable.
 */
final class RangeAddresses implements EpochAddresses {
  private final long first;
  private final long rows;
  private final int batchSize;
  private final int batches;
  private final RowSelection.Copier copier;

  RangeAddresses(long first, long rows, int batchSize, RowSelection.Copier copier) {
    long count = (rows + batchSize - 1) / batchSize;
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          rows + " rows in batches of " + batchSize + ": more than 2^31 - 9 batches");
    }
    this.first = first;
    this.rows = rows;
    this.batchSize = batchSize;
    this.batches = (int) count;
    this.copier = copier;
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public int batches() {
    return batches;
  }

  @Override
  public int batchRows(int b) {
    java.util.Objects.checkIndex(b, batches);
    return (int) Math.min(batchSize, rows - (long) b * batchSize);
  }

  @Override
  public void copy(long from, long[] dst, int n) {
    java.util.Objects.checkFromIndexSize(from, n, rows);
    copier.copy(first + from, dst, n);
  }
}
