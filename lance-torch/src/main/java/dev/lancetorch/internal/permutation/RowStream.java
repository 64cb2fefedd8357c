package dev.lancetorch.internal.permutation;

import dev.lancetorch.internal.arrow.FragmentSize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * The (filtered) rows of a base table in storage order, chunk by chunk: each row's base address
 * and, for hash and calculated splits, its split (-1: in no split). Memory: one chunk. The caller
 * closes it.
 */
public abstract class RowStream implements AutoCloseable {
  public static final String ROW_ADDR = "_rowaddr";
  private static final String SPLIT_EXPR = "lancetorch_split";
  private static final int CHUNK = 1 << 16;

  public long[] addrs = new long[0];
  int[] splits = new int[0];
  public int size;

  /** Loads the next chunk into {@link #addrs}/{@link #splits}/{@link #size}; false at the end. */
  public abstract boolean next();

  @Override
  public void close() {}

  /**
   * Rows matching {@code filter} (all when null), each with the split {@code spec} computes per
   * row, if any.
   */
  public static RowStream open(BaseTable base, String filter, SplitSpec spec) {
    if (spec instanceof SplitSpec.Calculated c) {
      return new Calculated(base, filter, c);
    }
    if (spec instanceof SplitSpec.Hash h) {
      return new Hashed(base, filter, h);
    }
    List<FragmentSize> frags = base.fragments();
    if (filter == null && frags.stream().allMatch(f -> f.numRows() == f.physicalRows())) {
      return new FromFragments(frags);
    }
    return new Scanned(base, filter, List.of());
  }

  void ensure(int n) {
    if (addrs.length < n) {
      addrs = new long[n];
      splits = new int[n];
    }
  }

  /** Addresses from fragment metadata alone (no filter, no deletions): no I/O. */
  static final class FromFragments extends RowStream {
    private final List<FragmentSize> frags;
    private int frag;
    private long offset;

    FromFragments(List<FragmentSize> frags) {
      this.frags = frags;
    }

    @Override
    public boolean next() {
      while (frag < frags.size() && offset >= frags.get(frag).numRows()) {
        frag++;
        offset = 0;
      }
      if (frag >= frags.size()) {
        return false;
      }
      FragmentSize f = frags.get(frag);
      size = (int) Math.min(CHUNK, f.numRows() - offset);
      ensure(size);
      long hi = (long) f.id() << 32;
      for (int i = 0; i < size; i++) {
        addrs[i] = hi | (offset + i);
      }
      offset += size;
      return true;
    }
  }

  /** A Lance scan with {@code _rowaddr} (and the columns a subclass needs per row). */
  static class Scanned extends RowStream {
    final BaseTable base;
    final ArrowReader reader;

    Scanned(BaseTable base, String filter, List<String> columns) {
      this(base, base.scanWithAddresses(columns, filter, CHUNK));
    }

    Scanned(BaseTable base, ArrowReader reader) {
      this.base = base;
      this.reader = reader;
    }

    @Override
    public boolean next() {
      VectorSchemaRoot root;
      try {
        if (!reader.loadNextBatch()) {
          return false;
        }
        root = reader.getVectorSchemaRoot();
      } catch (IOException e) {
        throw new UncheckedIOException("scanning table '" + base.name() + "'", e);
      }
      size = root.getRowCount();
      ensure(size);
      BaseIntVector a = (BaseIntVector) root.getVector(ROW_ADDR);
      for (int i = 0; i < size; i++) {
        addrs[i] = a.getValueAsLong(i);
      }
      assign(root);
      return true;
    }

    /** Fills {@link #splits} for the rows of {@code root}. */
    void assign(VectorSchemaRoot root) {}

    private boolean closed;

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        reader.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Hash split as LanceDB's ({@link HashSplit}): the split depends only on the row's values in the
   * hash columns.
   */
  static final class Hashed extends Scanned {
    private final SplitSpec.Hash spec;
    private final HashSplit hash;

    Hashed(BaseTable base, String filter, SplitSpec.Hash spec) {
      super(base, filter, spec.columns());
      this.spec = spec;
      this.hash = new HashSplit(spec.weights(), spec.discardWeight());
    }

    @Override
    void assign(VectorSchemaRoot root) {
      hash.assign(spec.columns().stream().map(root::getVector).toList(), size, splits);
    }
  }

  /**
   * Calculated split through Lance's SQL. A null or out-of-range value is an error naming how many
   * rows and a few of their addresses — the whole table is checked before the error is raised.
   */
  static final class Calculated extends Scanned {
    private final SplitSpec.Calculated spec;
    private final int limit;
    int maxSplit = -1;

    Calculated(BaseTable base, String filter, SplitSpec.Calculated spec) {
      super(base, sql(base, filter, spec));
      this.spec = spec;
      this.limit = spec.names() == null ? SplitSpec.MAX_SPLITS : spec.names().size();
    }

    private static ArrowReader sql(BaseTable base, String filter, SplitSpec.Calculated spec) {
      // No cast: a non-integer result is an error (see assign), not silently truncated.
      String q =
          "SELECT _rowaddr, ("
              + spec.sql()
              + ") AS "
              + SPLIT_EXPR
              + (spec.anchorColumn() == null
                  ? ""
                  : ", \"" + spec.anchorColumn().replace("\"", "\"\"") + "\"")
              + " FROM t"
              + (filter == null ? "" : " WHERE " + filter)
              + " ORDER BY _rowaddr";
      try {
        return base.sql(q);
      } catch (Exception e) { // Lance may throw an undeclared IOException
        if (e instanceof IOException io) {
          throw new UncheckedIOException(
              "running splitCalculated on table '" + base.name() + "'", io);
        }
        throw e;
      }
    }

    @Override
    void assign(VectorSchemaRoot root) {
      FieldVector s = root.getVector(SPLIT_EXPR);
      if (!(s instanceof BaseIntVector)) {
        throw CalculatedSplit.notAnInteger(
            "splitCalculated '" + spec.sql() + "' on table '" + base.name() + "'",
            spec.sql(),
            s.getField().getType());
      }
      List<Long> bad = new ArrayList<>();
      long badCount = 0;
      for (int i = 0; i < size; i++) {
        long v = s.isNull(i) ? -1 : ((BaseIntVector) s).getValueAsLong(i);
        if (v < 0 || v >= limit) {
          badCount++;
          if (bad.size() < 10) {
            bad.add(addrs[i]);
          }
        } else {
          splits[i] = (int) v;
          maxSplit = Math.max(maxSplit, splits[i]);
        }
      }
      if (badCount > 0) {
        badCount += drainBad(bad);
        throw new IllegalArgumentException(
            "splitCalculated '"
                + spec.sql()
                + "' on table '"
                + base.name()
                + "': "
                + badCount
                + " rows gave a null or out-of-range split (valid: 0.."
                + (limit - 1)
                + (spec.names() == null ? ", SplitSizes.MAX_SPLITS - 1" : "")
                + "), e.g. rows at addresses "
                + bad.stream().map(PermutationPlan::addressString).toList());
      }
    }

    /** Counts the bad rows in the rest of the table (for the error message). */
    private long drainBad(List<Long> bad) {
      long n = 0;
      try {
        while (reader.loadNextBatch()) {
          VectorSchemaRoot root = reader.getVectorSchemaRoot();
          FieldVector s = root.getVector(SPLIT_EXPR);
          BaseIntVector a = (BaseIntVector) root.getVector(ROW_ADDR);
          for (int i = 0; i < root.getRowCount(); i++) {
            long v = s.isNull(i) ? -1 : ((BaseIntVector) s).getValueAsLong(i);
            if (v < 0 || v >= limit) {
              n++;
              if (bad.size() < 10) {
                bad.add(a.getValueAsLong(i));
              }
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("running splitCalculated on table '" + base.name() + "'", e);
      }
      return n;
    }
  }
}
