package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.DistributedShard;
import dev.lancetorch.internal.loader.KeyedShuffle;
import java.util.Objects;

/** The {@link RowOrder}s of the built-in samplers and of distributed sharding. */
final class RowOrders {
  private RowOrders() {}

  /** An array's values. */
  record ArrayOrder(long[] values) implements RowOrder {
    @Override
    public long size() {
      return values.length;
    }

    @Override
    public long get(long position) {
      return values[Math.toIntExact(Objects.checkIndex(position, (long) values.length))];
    }

    @Override
    public void copyTo(long from, long[] dst, int at, int n) {
      Objects.checkFromIndexSize(from, n, (long) values.length);
      System.arraycopy(values, (int) from, dst, at, n);
    }

    @Override
    public long[] toArray() {
      return values.clone();
    }
  }

  /** 0, 1, ..., n - 1. */
  record RangeOrder(long size) implements RowOrder {
    @Override
    public long get(long position) {
      return Objects.checkIndex(position, size);
    }

    @Override
    public void copyTo(long from, long[] dst, int at, int n) {
      Objects.checkFromIndexSize(from, n, size);
      Objects.checkFromIndexSize(at, n, dst.length);
      for (int i = 0; i < n; i++) {
        dst[at + i] = from + i;
      }
    }
  }

  /** A keyed shuffle's positions. */
  record ShuffledOrder(KeyedShuffle shuffle) implements RowOrder {
    @Override
    public long size() {
      return shuffle.size();
    }

    @Override
    public long get(long position) {
      return shuffle.at(position);
    }
  }

  /**
   * Rank {@code rank}'s share of {@code global} (PyTorch's {@code DistributedSampler}, see {@link
   * DistributedShard}), position by position.
   */
  record ShardOrder(RowOrder global, int rank, int worldSize, long size) implements RowOrder {
    static RowOrder of(RowOrder global, int rank, int worldSize, boolean dropUneven) {
      if (worldSize == 1) {
        return global;
      }
      return new ShardOrder(
          global, rank, worldSize, DistributedShard.size(global.size(), worldSize, dropUneven));
    }

    @Override
    public long get(long position) {
      Objects.checkIndex(position, size);
      return global.get(DistributedShard.globalPosition(position, global.size(), rank, worldSize));
    }
  }
}
