package dev.lancetorch.loader;

import dev.lancetorch.internal.read.BatchRows;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * {@link BatchSampler#fixedSize}: consecutive batches cut from the order when asked (a list that
 * holds the order, not the batches).
 */
final class FixedSizeBatches implements BatchSampler {
  private final int batchSize;
  private final boolean dropLast;

  FixedSizeBatches(int batchSize, boolean dropLast) {
    this.batchSize = batchSize;
    this.dropLast = dropLast;
  }

  @Override
  public List<long[]> batches(long[] offsets) {
    return List.copyOf(batches(RowOrder.of(offsets)));
  }

  @Override
  public List<long[]> batches(RowOrder offsets) {
    long n = offsets.size();
    long count = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "an epoch of "
              + count
              + " batches of "
              + batchSize
              + " rows: at most 2^31 - 9 batches per rank and epoch (use larger batches)");
    }
    return new Cut(offsets, batchSize, (int) count);
  }

  @Override
  public String toString() {
    return "BatchSampler.fixedSize(" + batchSize + ", " + dropLast + ")";
  }

  /**
   * Batch i = positions {@code [i·size, min((i + 1)·size, n))} of the order, a new array each time
   * it is asked.
   */
  static final class Cut extends AbstractList<long[]> implements RandomAccess, BatchRows {
    private final RowOrder order;
    private final int size;
    private final int count;

    Cut(RowOrder order, int size, int count) {
      this.order = order;
      this.size = size;
      this.count = count;
    }

    @Override
    public long[] get(int index) {
      Objects.checkIndex(index, count);
      long from = (long) index * size;
      long[] b = new long[(int) Math.min(size, order.size() - from)];
      order.copyTo(from, b, 0, b.length);
      return b;
    }

    @Override
    public int size() {
      return count;
    }

    @Override
    public int rowsOf(int i) {
      Objects.checkIndex(i, count);
      return (int) Math.min(size, order.size() - (long) i * size);
    }

    @Override
    public long totalRows() {
      return Math.min(order.size(), (long) count * size);
    }

    @Override
    public int uniformRows() {
      return size;
    }
  }
}
