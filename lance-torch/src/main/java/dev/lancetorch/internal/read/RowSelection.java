package dev.lancetorch.internal.read;

import dev.lancetorch.internal.permutation.LongArrayBuilder;
import dev.lancetorch.internal.permutation.RowStream;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Which rows of the base table a permutation reads, in which order: either a window of the table's
 * storage order (identity) or an explicit list of base row addresses ({@code fragment << 32 |
 * offset}) in permutation order. Immutable; windows share the address array.
 */
public abstract sealed class RowSelection implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Number of rows selected. */
  public abstract long size();

  /** The rows {@code [skip, skip + take)} of this selection (clamped to its end). */
  abstract RowSelection window(long skip, long take);

  /** Rows of the selection before any {@link #withOffsetLimit} window. */
  abstract long baseSize();

  /**
   * The {@link #withOffsetLimit} window's offset and limit (-1: none); set once, right after
   * construction.
   */
  public long offset = -1;

  public long limit = -1;

  public final long offset() {
    return offset;
  }

  public final long limit() {
    return limit;
  }

  /**
   * LanceDB's reader window ({@code PermutationReader::with_offset/with_limit}): offset and limit
   * are absolute, over the selection before any window ({@code -1}: unset); the result is rows
   * {@code [offset, offset + limit)}.
   *
   * @throws IllegalArgumentException as LanceDB: offset + limit, offset alone or limit alone past
   *     the rows
   */
  public final RowSelection withOffsetLimit(long offset, long limit) {
    if (offset < -1 || limit < -1) {
      throw new IllegalArgumentException(
          "skip and take must be >= 0, got skip=" + offset + ", take=" + limit);
    }
    long available = baseSize();
    if (offset >= 0 && limit >= 0 && offset + limit > available) {
      throw new IllegalArgumentException(
          "Offset + limit is greater than the number of rows in the permutation ("
              + offset
              + " + "
              + limit
              + " > "
              + available
              + ")");
    }
    if (offset > available) {
      throw new IllegalArgumentException(
          "Offset is greater than the number of rows in the permutation ("
              + offset
              + " > "
              + available
              + ")");
    }
    if (limit > available) {
      throw new IllegalArgumentException(
          "Limit is greater than the number of rows in the permutation ("
              + limit
              + " > "
              + available
              + ")");
    }
    long from = Math.max(offset, 0);
    long n = limit >= 0 ? limit : available - from;
    return windowOfBase(from, n, offset, limit);
  }

  /**
   * Rows {@code [from, from + n)} of the unwindowed selection, remembering the window's offset and
   * limit.
   */
  abstract RowSelection windowOfBase(long from, long n, long offset, long limit);

  /**
   * True when these rows, in order, are one run of the table in storage order (read by scans, as
   * zero-copy streams); false when they are explicit base row addresses (read by takes or the read
   * planner).
   */
  public abstract boolean scansInOrder();

  /** The storage-order position of the first row of a run ({@link #scansInOrder()}). */
  public abstract long scanStart();

  /** The rows at these offsets of the selection ({@code 0 <= offset < size()}), in this order. */
  public abstract org.apache.arrow.vector.VectorSchemaRoot read(RowReader reader, long[] offsets);

  /**
   * The base row addresses of rows {@code [i, j)} of the selection; {@code table} resolves a run's
   * addresses (read once per selection and kept).
   */
  public abstract long[] addresses(long i, long j, ReadTable table);

  /**
   * The base row address of each offset of the selection ({@code table} resolves a run's
   * addresses); thread-safe.
   */
  abstract java.util.function.LongUnaryOperator addressOf(ReadTable table);

  /**
   * Rows {@code [i, j)} of the selection in batches of {@code batchSize} (the last shorter), their
   * addresses copied one window at a time when the planner reads it: nothing of the range is copied
   * up front, and the selection's own array is read in place.
   */
  public final EpochAddresses planned(long i, long j, int batchSize, ReadTable table) {
    java.util.Objects.checkFromToIndex(i, j, size());
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be > 0: " + batchSize);
    }
    return new RangeAddresses(i, j - i, batchSize, copier(table));
  }

  /** Copies the addresses of rows {@code [first, first + n)} of a selection into {@code dst}. */
  interface Copier {
    void copy(long first, long[] dst, int n);
  }

  /**
   * How rows of the selection are copied as addresses: from the selection's array where it holds
   * one (no copy of the whole), else through {@link #addressOf}.
   */
  Copier copier(ReadTable table) {
    java.util.function.LongUnaryOperator f = addressOf(table);
    return (first, dst, n) -> {
      for (int k = 0; k < n; k++) {
        dst[k] = f.applyAsLong(first + k);
      }
    };
  }

  /**
   * These batches' offsets and their base row addresses, in order, for the read planner (made one
   * window at a time: an epoch of any size); null when a batch is empty.
   */
  public final EpochAddresses planned(java.util.List<long[]> batches, ReadTable table) {
    if (!(batches instanceof BatchRows) && PlannedReads.rows(batches) < 0) {
      return null;
    }
    return EpochAddresses.of(batches, addressOf(table));
  }

  public static RowSelection identity(long numRows) {
    return new Identity(0, numRows);
  }

  public static RowSelection addresses(long[] addresses) {
    return new Addresses(addresses, 0, addresses.length);
  }

  /** The base row addresses of an identity run, in storage order (read with one scan). */
  private static long[] scanAddresses(Identity id, ReadTable table) {
    LongArrayBuilder b = new LongArrayBuilder();
    try (org.apache.arrow.vector.ipc.ArrowReader r =
        table.scan(
            ReadScan.of(java.util.List.of(), 1 << 16)
                .withRowAddress(true)
                .offset(id.start)
                .limit(id.count),
            null)) {
      while (r.loadNextBatch()) {
        org.apache.arrow.vector.BaseIntVector v =
            (org.apache.arrow.vector.BaseIntVector)
                r.getVectorSchemaRoot().getVector(RowStream.ROW_ADDR);
        for (int i = 0; i < r.getVectorSchemaRoot().getRowCount(); i++) {
          b.add(v.getValueAsLong(i));
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(
          "reading row addresses of table '" + table.name() + "'", e);
    }
    return b.toArray();
  }

  static long clampedTake(long size, long skip, long take) {
    if (skip < 0 || take < 0) {
      throw new IllegalArgumentException(
          "skip and take must be >= 0, got skip=" + skip + ", take=" + take);
    }
    return Math.max(0, Math.min(take, size - skip));
  }

  /** Rows {@code [start, start + count)} in storage order (logical offsets, deletions excluded). */
  public static final class Identity extends RowSelection {
    private static final long serialVersionUID = 1L;
    public final long start;
    final long count;
    private final long baseStart;
    private final long baseCount;

    Identity(long start, long count) {
      this(start, count, start, count);
    }

    private Identity(long start, long count, long baseStart, long baseCount) {
      this.start = start;
      this.count = count;
      this.baseStart = baseStart;
      this.baseCount = baseCount;
    }

    @Override
    public long size() {
      return count;
    }

    @Override
    long baseSize() {
      return baseCount;
    }

    @Override
    RowSelection window(long skip, long take) {
      return new Identity(start + Math.min(skip, count), clampedTake(count, skip, take));
    }

    private transient long[] addresses; // guarded by this; read on first use

    @Override
    public boolean scansInOrder() {
      return true;
    }

    @Override
    public long scanStart() {
      return start;
    }

    @Override
    public org.apache.arrow.vector.VectorSchemaRoot read(RowReader reader, long[] offsets) {
      long[] abs = new long[offsets.length];
      for (int k = 0; k < offsets.length; k++) {
        abs[k] = start + offsets[k];
      }
      return reader.readOffsets(abs);
    }

    private synchronized long[] all(ReadTable table) {
      if (addresses == null) {
        addresses = scanAddresses(this, table);
      }
      return addresses;
    }

    @Override
    public long[] addresses(long i, long j, ReadTable table) {
      return Arrays.copyOfRange(all(table), Math.toIntExact(i), Math.toIntExact(j));
    }

    /**
     * Computed from the fragments' sizes when no fragment has deleted rows (any number of rows);
     * else the run's addresses, read by one scan and kept.
     */
    @Override
    java.util.function.LongUnaryOperator addressOf(ReadTable table) {
      java.util.List<dev.lancetorch.internal.arrow.FragmentSize> frags = table.fragments();
      if (frags.stream().anyMatch(f -> f.numRows() != f.physicalRows())) {
        long[] all = all(table);
        return o -> all[Math.toIntExact(o)];
      }
      long[] first = new long[frags.size() + 1]; // storage position of each fragment's first row
      long[] ids = new long[frags.size()];
      for (int i = 0; i < frags.size(); i++) {
        first[i + 1] = first[i] + frags.get(i).numRows();
        ids[i] = frags.get(i).id();
      }
      long base = start;
      return o -> {
        long p = base + o;
        if (p < 0 || p >= first[ids.length]) {
          throw new IndexOutOfBoundsException("row " + p + " of a table of " + first[ids.length]);
        }
        int i = Arrays.binarySearch(first, p);
        i = i >= 0 ? i : -i - 2;
        while (first[i + 1] <= p) { // empty fragments share their start with the next one
          i++;
        }
        return ids[i] << 32 | (p - first[i]);
      };
    }

    @Override
    RowSelection windowOfBase(long from, long n, long offset, long limit) {
      Identity w = new Identity(baseStart + from, n, baseStart, baseCount);
      w.offset = offset;
      w.limit = limit;
      return w;
    }
  }

  /** Explicit base row addresses, in order; a window {@code [from, to)} of a shared array. */
  public static final class Addresses extends RowSelection {
    private static final long serialVersionUID = 1L;
    private transient long[] all;
    private transient int from;
    private transient int to;
    private transient int baseFrom;
    private transient int baseTo;

    Addresses(long[] all, int from, int to) {
      this.all = all;
      this.from = from;
      this.to = to;
      this.baseFrom = from;
      this.baseTo = to;
    }

    @Override
    public long size() {
      return to - from;
    }

    @Override
    long baseSize() {
      return baseTo - baseFrom;
    }

    @Override
    RowSelection windowOfBase(long first, long n, long offset, long limit) {
      Addresses w =
          new Addresses(
              all, Math.toIntExact(baseFrom + first), Math.toIntExact(baseFrom + first + n));
      w.baseFrom = baseFrom;
      w.baseTo = baseTo;
      w.offset = offset;
      w.limit = limit;
      return w;
    }

    /** Address of the row at position {@code i} of this selection. */
    public long address(long i) {
      return all[Math.toIntExact(from + i)];
    }

    @Override
    public boolean scansInOrder() {
      return false;
    }

    @Override
    public long scanStart() {
      throw new UnsupportedOperationException("explicit row addresses are no storage-order run");
    }

    @Override
    public org.apache.arrow.vector.VectorSchemaRoot read(RowReader reader, long[] offsets) {
      long[] addrs = new long[offsets.length];
      for (int k = 0; k < offsets.length; k++) {
        addrs[k] = address(offsets[k]);
      }
      return reader.read(addrs);
    }

    @Override
    public long[] addresses(long i, long j, ReadTable table) {
      return slice(i, j);
    }

    @Override
    java.util.function.LongUnaryOperator addressOf(ReadTable table) {
      return this::address;
    }

    @Override
    Copier copier(ReadTable table) {
      return (first, dst, n) -> {
        java.util.Objects.checkFromIndexSize(first, n, size());
        System.arraycopy(all, Math.toIntExact(from + first), dst, 0, n);
      };
    }

    /** Addresses of positions {@code [i, j)} (a fresh array). */
    public long[] slice(long i, long j) {
      return Arrays.copyOfRange(all, Math.toIntExact(from + i), Math.toIntExact(from + j));
    }

    @Override
    RowSelection window(long skip, long take) {
      long n = clampedTake(size(), skip, take);
      int f = (int) Math.min(from + skip, to);
      return new Addresses(all, f, Math.toIntExact(f + n));
    }

    // Only the window travels when serialized (it becomes the unwindowed selection on the other
    // side).
    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
      out.defaultWriteObject();
      out.writeObject(slice(0, size()));
    }

    private void readObject(java.io.ObjectInputStream in)
        throws java.io.IOException, ClassNotFoundException {
      in.defaultReadObject();
      all = (long[]) in.readObject();
      from = 0;
      to = all.length;
      baseFrom = 0;
      baseTo = all.length;
      offset = -1;
      limit = -1;
    }
  }
}
