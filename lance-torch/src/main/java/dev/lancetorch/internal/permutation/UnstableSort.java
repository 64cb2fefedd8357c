package dev.lancetorch.internal.permutation;

/**
 * Rust's {@code slice::sort_unstable_by} (ipnsort, Rust 1.81+ standard library) as LanceDB's
 * permutation builder runs it: Arrow's {@code sort_to_indices} sorts {@code (u32 index, u64 key)}
 * pairs by key, so rows with equal split ids end up in the order this algorithm leaves them, not in
 * input order. Reproduced step by step (find existing run, quicksort with glidesort pivot choice,
 * branchless cyclic Lomuto partition, the 16-byte-element small sort of 32 with stable 4/8 networks
 * and bidirectional merges, heapsort fallback) so that a permutation built here lists each split in
 * exactly LanceDB's order. See docs/lancedb-compat.md.
 *
 * <p>Elements are positions into {@code keys}; {@link #sortPositions} returns the positions in
 * sorted order.
 */
public final class UnstableSort {
  private final long[] keys;
  private final int[] scratch = new int[48];
  private final int[] quads = new int[8];

  private UnstableSort(long[] keys) {
    this.keys = keys;
  }

  /**
   * Positions {@code 0..keys.length-1} ordered by unsigned key as Rust's unstable sort of
   * (position, key) pairs.
   */
  static int[] sortPositions(long[] keys) {
    int[] v = new int[keys.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    new UnstableSort(keys).sort(v, 0, v.length);
    return v;
  }

  private boolean less(int a, int b) {
    return Long.compareUnsigned(keys[a], keys[b]) < 0;
  }

  private boolean lessEq(int a, int b) {
    return !less(b, a);
  }

  private void sort(int[] v, int from, int to) {
    int len = to - from;
    if (len < 2) {
      return;
    }
    if (len <= 20) {
      insertionSortShiftLeft(v, from, to);
      return;
    }
    // find_existing_run
    int run = 2;
    boolean descending = less(v[from + 1], v[from]);
    if (descending) {
      while (run < len && less(v[from + run], v[from + run - 1])) {
        run++;
      }
    } else {
      while (run < len && !less(v[from + run], v[from + run - 1])) {
        run++;
      }
    }
    if (run == len) {
      if (descending) {
        for (int i = from, j = to - 1; i < j; i++, j--) {
          swap(v, i, j);
        }
      }
      return;
    }
    int limit = 2 * (31 - Integer.numberOfLeadingZeros(len | 1));
    quicksort(v, from, to, -1, limit);
  }

  /** {@code ancestor} is the element (a position into keys) of the ancestor pivot, or -1. */
  private void quicksort(int[] v, int from, int to, int ancestor, int limit) {
    while (true) {
      int len = to - from;
      if (len <= 32) {
        smallSortGeneral(v, from, len);
        return;
      }
      if (limit == 0) {
        heapsort(v, from, to);
        return;
      }
      limit--;
      int pivotPos = choosePivot(v, from, len);
      if (ancestor >= 0 && !less(ancestor, v[from + pivotPos])) {
        int numLt = partition(v, from, len, pivotPos, true);
        from = from + numLt + 1;
        ancestor = -1;
        continue;
      }
      int numLt = partition(v, from, len, pivotPos, false);
      int pivot = v[from + numLt];
      quicksort(v, from, from + numLt, ancestor, limit);
      from = from + numLt + 1;
      ancestor = pivot;
    }
  }

  private int choosePivot(int[] v, int from, int len) {
    int n8 = len / 8;
    int a = from;
    int b = from + n8 * 4;
    int c = from + n8 * 7;
    int p = len < 64 ? median3(v, a, b, c) : median3Rec(v, a, b, c, n8);
    return p - from;
  }

  private int median3Rec(int[] v, int a, int b, int c, int n) {
    if (n * 8 >= 64) {
      int n8 = n / 8;
      a = median3Rec(v, a, a + n8 * 4, a + n8 * 7, n8);
      b = median3Rec(v, b, b + n8 * 4, b + n8 * 7, n8);
      c = median3Rec(v, c, c + n8 * 4, c + n8 * 7, n8);
    }
    return median3(v, a, b, c);
  }

  private int median3(int[] v, int a, int b, int c) {
    boolean x = less(v[a], v[b]);
    boolean y = less(v[a], v[c]);
    if (x == y) {
      boolean z = less(v[b], v[c]);
      return (z ^ x) ? c : b;
    }
    return a;
  }

  /**
   * Rust's {@code partition}: pivot to the front, branchless cyclic Lomuto over the rest, pivot
   * between.
   */
  private int partition(int[] v, int from, int len, int pivotPos, boolean lessOrEqual) {
    swap(v, from, from + pivotPos);
    int pivot = v[from];
    int base = from + 1;
    int n = len - 1;
    int numLt = 0;
    if (n > 0) {
      int gapValue = v[base];
      int gapPos = base;
      int right = base + 1;
      int end = base + n;
      int unrollEnd = end - 1;
      while (right < unrollEnd) {
        for (int k = 0; k < 2; k++) {
          boolean lt = lessOrEqual ? lessEq(v[right], pivot) : less(v[right], pivot);
          int left = base + numLt;
          v[gapPos] = v[left];
          v[left] = v[right];
          gapPos = right;
          numLt += lt ? 1 : 0;
          right++;
        }
      }
      while (true) {
        boolean done = right == end;
        int elem = done ? gapValue : v[right];
        boolean lt = lessOrEqual ? lessEq(elem, pivot) : less(elem, pivot);
        int left = base + numLt;
        v[gapPos] = v[left];
        v[left] = elem;
        gapPos = right;
        numLt += lt ? 1 : 0;
        right++;
        if (done) {
          break;
        }
      }
    }
    swap(v, from, from + numLt);
    return numLt;
  }

  private void heapsort(int[] v, int from, int to) {
    int len = to - from;
    for (int i = len + len / 2 - 1; i >= 0; i--) {
      int siftIdx;
      if (i >= len) {
        siftIdx = i - len;
      } else {
        swap(v, from, from + i);
        siftIdx = 0;
      }
      siftDown(v, from, Math.min(i, len), siftIdx);
    }
  }

  private void siftDown(int[] v, int from, int len, int node) {
    while (true) {
      int child = 2 * node + 1;
      if (child >= len) {
        break;
      }
      if (child + 1 < len && less(v[from + child], v[from + child + 1])) {
        child++;
      }
      if (!less(v[from + node], v[from + child])) {
        break;
      }
      swap(v, from + node, from + child);
      node = child;
    }
  }

  // ---- small sort for 16-byte Copy elements: small_sort_general, threshold 32, scratch len + 16
  // ----

  private void smallSortGeneral(int[] v, int from, int len) {
    if (len < 2) {
      return;
    }
    int[] s = scratch;
    int half = len / 2;
    int presorted;
    if (len >= 16) {
      sort8Stable(v, from, s, 0);
      sort8Stable(v, from + half, s, half);
      presorted = 8;
    } else if (len >= 8) {
      sort4Stable(v, from, s, 0);
      sort4Stable(v, from + half, s, half);
      presorted = 4;
    } else {
      s[0] = v[from];
      s[half] = v[from + half];
      presorted = 1;
    }
    for (int offset : new int[] {0, half}) {
      int desired = offset == 0 ? half : len - half;
      for (int i = presorted; i < desired; i++) {
        s[offset + i] = v[from + offset + i];
        insertTail(s, offset, offset + i);
      }
    }
    bidirectionalMerge(s, 0, len, v, from);
  }

  private void sort8Stable(int[] src, int at, int[] dst, int dstAt) {
    sort4Stable(src, at, quads, 0);
    sort4Stable(src, at + 4, quads, 4);
    bidirectionalMerge(quads, 0, 8, dst, dstAt);
  }

  private void sort4Stable(int[] src, int at, int[] dst, int dstAt) {
    boolean c1 = less(src[at + 1], src[at]);
    boolean c2 = less(src[at + 3], src[at + 2]);
    int a = src[at + (c1 ? 1 : 0)];
    int b = src[at + (c1 ? 0 : 1)];
    int c = src[at + 2 + (c2 ? 1 : 0)];
    int d = src[at + 2 + (c2 ? 0 : 1)];
    boolean c3 = less(c, a);
    boolean c4 = less(d, b);
    int min = c3 ? c : a;
    int max = c4 ? b : d;
    int unknownLeft = c3 ? a : (c4 ? c : b);
    int unknownRight = c4 ? d : (c3 ? b : c);
    boolean c5 = less(unknownRight, unknownLeft);
    dst[dstAt] = min;
    dst[dstAt + 1] = c5 ? unknownRight : unknownLeft;
    dst[dstAt + 2] = c5 ? unknownLeft : unknownRight;
    dst[dstAt + 3] = max;
  }

  /** Sorts {@code a[begin..=tail]} given {@code a[begin..tail]} sorted. */
  private void insertTail(int[] a, int begin, int tail) {
    int sift = tail - 1;
    if (!less(a[tail], a[sift])) {
      return;
    }
    int tmp = a[tail];
    int gap = tail;
    while (true) {
      a[gap] = a[sift];
      gap = sift;
      if (sift == begin) {
        break;
      }
      sift--;
      if (!less(tmp, a[sift])) {
        break;
      }
    }
    a[gap] = tmp;
  }

  private void insertionSortShiftLeft(int[] v, int from, int to) {
    for (int tail = from + 1; tail < to; tail++) {
      insertTail(v, from, tail);
    }
  }

  /**
   * Merges {@code src[at..at+len]} (two sorted halves split at len/2) into {@code dst[dstAt..]}
   * from both ends.
   */
  private void bidirectionalMerge(int[] src, int at, int len, int[] dst, int dstAt) {
    int half = len / 2;
    int left = at;
    int right = at + half;
    int out = dstAt;
    int leftRev = at + half - 1;
    int rightRev = at + len - 1;
    int outRev = dstAt + len - 1;
    for (int k = 0; k < half; k++) {
      boolean isL = !less(src[right], src[left]);
      dst[out++] = isL ? src[left] : src[right];
      right += isL ? 0 : 1;
      left += isL ? 1 : 0;
      boolean isLr = !less(src[rightRev], src[leftRev]);
      dst[outRev--] = isLr ? src[rightRev] : src[leftRev];
      rightRev -= isLr ? 1 : 0;
      leftRev -= isLr ? 0 : 1;
    }
    int leftEnd = leftRev + 1;
    int rightEnd = rightRev + 1;
    if (len % 2 != 0) {
      boolean leftNonEmpty = left < leftEnd;
      dst[out] = leftNonEmpty ? src[left] : src[right];
      left += leftNonEmpty ? 1 : 0;
      right += leftNonEmpty ? 0 : 1;
    }
    if (left != leftEnd || right != rightEnd) {
      throw new IllegalStateException("sort: inconsistent order");
    }
  }

  private static void swap(int[] v, int i, int j) {
    int t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
}
