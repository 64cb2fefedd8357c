package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.KeyedShuffle;
import java.util.Objects;

/**
 * One epoch's row offsets in the order they are visited, addressed by a {@code long} position and
 * computed on demand: what a {@link Sampler} chooses ({@link Sampler#order}). The built-in orders
 * ({@link #range}, {@link #shuffled}) hold no array, so an epoch of billions of rows costs constant
 * memory to plan; {@link #of(long[])} wraps an array a sampler computed.
 *
 * <p>Implementations are immutable and thread-safe (workers read positions concurrently) and a pure
 * function of how they were made.
 */
public interface RowOrder {
  /** Number of positions. */
  long size();

  /**
   * The row offset at {@code position} ({@code 0 <= position < size()}).
   *
   * @throws IndexOutOfBoundsException outside that range
   */
  long get(long position);

  /** Copies positions {@code [from, from + n)} into {@code dst[at..at + n)}. */
  default void copyTo(long from, long[] dst, int at, int n) {
    Objects.checkFromIndexSize(from, n, size());
    Objects.checkFromIndexSize(at, n, dst.length);
    for (int i = 0; i < n; i++) {
      dst[at + i] = get(from + i);
    }
  }

  /**
   * Every position, in order, as a new array.
   *
   * @throws IllegalStateException when there are more than fit one Java array
   */
  default long[] toArray() {
    long n = size();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(
          "an order of " + n + " rows does not fit one array (at most 2^31 - 9)");
    }
    long[] out = new long[(int) n];
    copyTo(0, out, 0, out.length);
    return out;
  }

  /**
   * {@code offsets} in their order. The array is <em>copied</em>: later changes to it do not reach
   * the order.
   */
  static RowOrder of(long[] offsets) {
    return new RowOrders.ArrayOrder(offsets.clone());
  }

  /** {@code 0, 1, ..., n - 1}. */
  static RowOrder range(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("a range of " + n + " rows");
    }
    return new RowOrders.RangeOrder(n);
  }

  /**
   * A random permutation of {@code 0 .. n - 1} keyed by {@code seed} (the same seed, the same
   * order), computed position by position in constant memory (a keyed Feistel network restricted to
   * {@code [0, n)}); any {@code n} up to 2^62.
   */
  static RowOrder shuffled(long n, long seed) {
    return new RowOrders.ShuffledOrder(new KeyedShuffle(n, seed));
  }
}
