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

  public static RowSelection identity(long numRows) {
    return new Identity(0, numRows);
  }

  public static RowSelection addresses(long[] addresses) {
    return new Addresses(addresses, 0, addresses.length);
  }

  /** The base row addresses of a selection, in order (identity windows are scanned for theirs). */
  public static long[] addressesOf(RowSelection selection, dev.lancetorch.Table table) {
    if (selection instanceof Addresses a) {
      return a.slice(0, a.size());
    }
    Identity id = (Identity) selection;
    LongArrayBuilder b = new LongArrayBuilder();
    try (org.apache.arrow.vector.ipc.ArrowReader r =
        table
            .query()
            .select(java.util.List.of())
            .withRowAddress(true)
            .offset(id.start)
            .limit(id.count)
            .batchSize(1 << 16)
            .toArrowReader()) {
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
