package dev.lancetorch.internal.permutation;

import java.util.Arrays;

/** A growable {@code long[]} (8 bytes per element, doubling). */
public final class LongArrayBuilder {
  private long[] data = new long[16];
  private int size;

  public void add(long v) {
    if (size == data.length) {
      if (size == Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("more than " + size + " rows in one split");
      }
      data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8L, 2L * size));
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
