package dev.lancetorch.internal.read;

import java.util.List;
import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * The rows of an epoch's planned batches, in order, for the read planner ({@link WindowReader}):
 * how many rows each batch has, and the base row addresses ({@code fragment << 32 | offset}) of any
 * range of rows, asked one window at a time. Row positions are {@code long}: the addresses of an
 * epoch past 2^31 rows are made window by window ({@link #of(List, LongUnaryOperator)}), never held
 * whole. Implementations are immutable and thread-safe (windows are read on several threads).
 */
public interface EpochAddresses {
  /** Rows of all batches. */
  long rows();

  /** Number of batches. */
  int batches();

  /** Rows of batch {@code b} (≥ 1). */
  int batchRows(int b);

  /**
   * Writes the addresses of rows {@code [from, from + n)} to {@code dst[0..n)}. The readers ask
   * whole batches: {@code from} is the first row of a batch.
   */
  void copy(long from, long[] dst, int n);

  /**
   * {@code addrs} cut into batches of {@code sizes} (each ≥ 1, summing to {@code addrs.length});
   * both arrays kept, not copied.
   *
   * @throws IllegalArgumentException if the sizes do not fit the addresses
   */
  static EpochAddresses of(long[] addrs, int[] sizes) {
    Objects.requireNonNull(addrs, "addrs");
    long total = 0;
    for (int n : sizes) {
      if (n <= 0) {
        throw new IllegalArgumentException("every batch needs at least one row: " + n);
      }
      total += n;
    }
    if (total != addrs.length) {
      throw new IllegalArgumentException(
          "batch sizes sum to " + total + " rows, not the " + addrs.length + " addresses");
    }
    return new EpochAddresses() {
      @Override
      public long rows() {
        return addrs.length;
      }

      @Override
      public int batches() {
        return sizes.length;
      }

      @Override
      public int batchRows(int b) {
        return sizes[b];
      }

      @Override
      public void copy(long from, long[] dst, int n) {
        System.arraycopy(addrs, Math.toIntExact(from), dst, 0, n);
      }
    };
  }

  /**
   * The addresses of {@code batches}' offsets ({@code addressOf} maps an offset to its address),
   * made when a window asks: nothing of the epoch is held but the batches' row counts, read from
   * {@link BatchRows} when the list is one (else from each batch once, here).
   *
   * @param batches the batches of offsets (kept; each asked when its window is read)
   * @param addressOf thread-safe
   */
  static EpochAddresses of(List<long[]> batches, LongUnaryOperator addressOf) {
    return new LazyEpochAddresses(batches, addressOf);
  }
}
