package dev.lancetorch.internal.read;

import dev.lancetorch.internal.bridge.TorchGather;

/** One fragment's wanted rows of a window: addresses and window positions, sorted by address. */
final class FragmentRows {
  long[] addr;
  long[] pos;
  int n;

  /** The smallest and largest wanted address (after {@link #bounds}). */
  long min;

  long max;

  FragmentRows(int capacity) {
    addr = new long[capacity];
    pos = new long[capacity];
  }

  /** Sets {@link #min} and {@link #max}. */
  void bounds() {
    long lo = Long.MAX_VALUE;
    long hi = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      lo = Math.min(lo, addr[i]);
      hi = Math.max(hi, addr[i]);
    }
    min = lo;
    max = hi;
  }

  /**
   * The dense map of the wanted rows ({@link TorchGather#mergeDense}): entry {@code a - min} is 1 +
   * the window position of address {@code a}, 0 where no row is wanted; null when a row is wanted
   * twice (or the range is too long for an array). One pass in window order, no sort. Needs {@link
   * #bounds}.
   */
  int[] dense() {
    long span = max - min + 1;
    if (span > Integer.MAX_VALUE - 8) {
      return null;
    }
    int[] d = new int[(int) span];
    for (int i = 0; i < n; i++) {
      int at = (int) (addr[i] - min);
      if (d[at] != 0) {
        return null;
      }
      d[at] = (int) pos[i] + 1;
    }
    return d;
  }

  /**
   * Sorts by address (stable for equal addresses): a counting sort when the offsets are dense, else
   * packed keys. Needs {@link #bounds}.
   */
  void sort() {
    long span = max - min + 1;
    if (span <= 4L * n + 1024) {
      int[] start = new int[(int) span + 1];
      for (int i = 0; i < n; i++) {
        start[(int) (addr[i] - min) + 1]++;
      }
      for (int k = 0; k < span; k++) {
        start[k + 1] += start[k];
      }
      long[] sa = new long[n];
      long[] sp = new long[n];
      for (int i = 0; i < n; i++) {
        int at = start[(int) (addr[i] - min)]++;
        sa[at] = addr[i];
        sp[at] = pos[i];
      }
      addr = sa;
      pos = sp;
      return;
    }
    int posBits = 64 - Long.numberOfLeadingZeros(Math.max(1, maxPos()));
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = ((addr[i] & 0xFFFFFFFFL) << posBits) | pos[i];
    }
    java.util.Arrays.sort(keys);
    long frag = addr[0] & ~0xFFFFFFFFL;
    long mask = (1L << posBits) - 1;
    for (int i = 0; i < n; i++) {
      addr[i] = frag | (keys[i] >>> posBits);
      pos[i] = keys[i] & mask;
    }
  }

  private long maxPos() {
    long m = 0;
    for (int i = 0; i < n; i++) {
      m = Math.max(m, pos[i]);
    }
    return m;
  }
}
