package dev.lancetorch.internal.permutation;

import java.util.Arrays;

/** A growable {@code long[]} (8 bytes per element, doubling). */
public final class LongArrayBuilder {
  private long[] data;
  private int size;

  public LongArrayBuilder() {
    this(16);
  }

  /**
   * A builder with room for {@code capacity} elements before it grows: filled to exactly that,
   * {@link #toArray()} returns its array without a copy.
   */
  public LongArrayBuilder(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
    }
    data = new long[Math.max(1, capacity)];
  }

  public void add(long v) {
    if (size == data.length) {
      if (size == Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("more than " + size + " rows in one split");
      }
      data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8L, Math.max(16L, 2L * size)));
    }
    data[size++] = v;
  }

  int size() {
    return size;
  }

  public long[] toArray() {
    return size == data.length ? data : Arrays.copyOf(data, size);
  }
}
