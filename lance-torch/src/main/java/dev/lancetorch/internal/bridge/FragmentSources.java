package dev.lancetorch.internal.bridge;

import java.util.Arrays;
import java.util.List;

/**
 * Cached rows a gather reads by row address ({@link TorchGather#fromFragments}): native batches
 * laid end to end, and where each fragment's rows lie in them — a fragment's row offset {@code o}
 * at its base + {@code o}, or, for a fragment cached without its deleted rows, at its base + the
 * index of {@code o} in its ascending row offsets (uint32, in native memory).
 *
 * <p>Ownership: <em>borrows</em> the batches and the offsets' memory; it holds their native
 * addresses, so whoever built it keeps them alive (not closed, not unmapped) while gathers read it
 * — a cache builds one under the lock that keeps its batches alive and drops it with the lock.
 * Immutable.
 */
public final class FragmentSources {
  final long[] handles;
  final long[] starts;
  final long[] base;
  final long[] rows;
  final long[] offsets;

  private FragmentSources(long[] handles, long[] starts, long[] base, long[] rows, long[] offsets) {
    this.handles = handles;
    this.starts = starts;
    this.base = base;
    this.rows = rows;
    this.offsets = offsets;
  }

  /** A builder for fragments of ids {@code 0..maxFragmentId}. */
  public static Builder builder(int maxFragmentId) {
    return new Builder(maxFragmentId);
  }

  /**
   * Sources whose batches (borrowed, open) hold the rows of fragments laid end to end in storage
   * order, batch boundaries anywhere: fragment id {@code f} at positions {@code startById[f]} (-1:
   * none) to {@code startById[f] + rowsById[f]} of their concatenation (arrays kept).
   */
  public static FragmentSources ofStorageOrder(
      List<NativeBatch> batches, long[] startById, long[] rowsById) {
    long[] handles = new long[batches.size()];
    long[] starts = new long[batches.size() + 1];
    for (int i = 0; i < handles.length; i++) {
      handles[i] = batches.get(i).handle();
      starts[i + 1] = starts[i] + batches.get(i).numRows();
    }
    return new FragmentSources(handles, starts, startById, rowsById, new long[startById.length]);
  }

  /** Adds fragments one at a time, each with its batches (in row order). */
  public static final class Builder {
    private long[] handles = new long[16];
    private long[] starts = new long[17];
    private int n;
    private final long[] base;
    private final long[] rows;
    private final long[] offsets;

    private Builder(int maxFragmentId) {
      base = new long[maxFragmentId + 1];
      rows = new long[maxFragmentId + 1];
      offsets = new long[maxFragmentId + 1];
      Arrays.fill(base, -1);
    }

    /**
     * Adds fragment {@code id}'s rows: the rows of {@code batches} in order (borrowed, open).
     *
     * @param offsetsAddress native address of the rows' ascending uint32 row offsets (one per row,
     *     borrowed), or 0 when the rows are the fragment's offsets 0, 1, ...
     * @throws IllegalArgumentException for an id out of range or added before
     * @throws IllegalStateException if a batch is closed
     */
    public Builder add(int id, List<NativeBatch> batches, long offsetsAddress) {
      if (id < 0 || id >= base.length || base[id] >= 0) {
        throw new IllegalArgumentException("fragment id " + id + " out of range or added twice");
      }
      base[id] = starts[n];
      long from = starts[n];
      for (NativeBatch b : batches) {
        if (n == handles.length) {
          handles = Arrays.copyOf(handles, n * 2);
          starts = Arrays.copyOf(starts, n * 2 + 1);
        }
        handles[n] = b.handle();
        starts[n + 1] = starts[n] + b.numRows();
        n++;
      }
      rows[id] = starts[n] - from;
      offsets[id] = offsetsAddress;
      return this;
    }

    /** The sources (null when no batch was added). */
    public FragmentSources build() {
      if (n == 0) {
        return null;
      }
      return new FragmentSources(
          Arrays.copyOf(handles, n), Arrays.copyOf(starts, n + 1), base, rows, offsets);
    }
  }
}
