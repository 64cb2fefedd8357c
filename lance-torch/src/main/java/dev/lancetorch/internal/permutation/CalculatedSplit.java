package dev.lancetorch.internal.permutation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Checks a {@code splitCalculated} expression when the builder call is made, through DataFusion's
 * own planner: it must parse, name existing columns and be of an integer type; an expression that
 * reads no column (a constant) must give a valid split index. Errors are {@link
 * IllegalArgumentException}s naming the expression and the table, with DataFusion's reason and no
 * source locations or Java class names.
 */
public final class CalculatedSplit {
  private static final String PROBE = "lancetorch_split";

  private CalculatedSplit() {}

  /**
   * Checks {@code sql} against {@code base}'s schema and returns the spec of the split. {@code
   * names} (null when unnamed) bounds the indexes.
   *
   * @throws IllegalArgumentException if DataFusion cannot evaluate it, it is not an integer, or it
   *     is a constant outside the valid indexes
   */
  public static SplitSpec.Calculated check(BaseTable base, String sql, List<String> names) {
    String what = "splitCalculated '" + sql + "' on table '" + base.name() + "'";
    ArrowType type = typeOf(base, sql, what);
    if (!(type instanceof ArrowType.Int)) {
      throw notAnInteger(what, sql, type);
    }
    int limit = names == null ? SplitSpec.MAX_SPLITS : names.size();
    Long constant;
    try {
      constant = constantValue(base, sql);
    } catch (IllegalArgumentException readsColumns) {
      return new SplitSpec.Calculated(sql, names, null);
    }
    if (constant == null || constant < 0 || constant >= limit) {
      throw new IllegalArgumentException(
          what
              + " reads no column and gives "
              + constant
              + " for every row, not a split index in 0.."
              + (limit - 1));
    }
    return new SplitSpec.Calculated(sql, names, anchorColumn(base));
  }

  /** The message {@code splitCalculated} gives for a result that is not an integer. */
  static IllegalArgumentException notAnInteger(String what, String sql, ArrowType type) {
    return new IllegalArgumentException(
        what
            + " yields "
            + type
            + ", not an integer split index (cast it explicitly, e.g. CAST(("
            + sql
            + ") AS INT), if truncation is meant)");
  }

  private static ArrowType typeOf(BaseTable base, String sql, String what) {
    try (ArrowReader r = base.sql("SELECT (" + sql + ") AS " + PROBE + " FROM t LIMIT 0")) {
      return r.getVectorSchemaRoot().getSchema().findField(PROBE).getType();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " cannot be evaluated: " + reason(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException(what, e);
    }
  }

  /**
   * The value of an expression that reads no column (it evaluates without a table); throws
   * IllegalArgumentException when it reads a column.
   */
  private static Long constantValue(BaseTable base, String sql) {
    try (ArrowReader r = base.sql("SELECT (" + sql + ") AS " + PROBE)) {
      Long value = null;
      while (r.loadNextBatch()) {
        VectorSchemaRoot root = r.getVectorSchemaRoot();
        FieldVector v = root.getVector(PROBE);
        if (root.getRowCount() > 0 && !v.isNull(0)) {
          value = ((BaseIntVector) v).getValueAsLong(0);
        }
      }
      return value;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A column for the full read to project next to a constant split: Lance's SQL scan fails on a
   * projection of {@code _rowaddr} and constants alone. The first fixed-width column, else the
   * first column.
   */
  private static String anchorColumn(BaseTable base) {
    List<Field> fields = base.schema().getFields();
    for (Field f : fields) {
      ArrowType t = f.getType();
      if (t instanceof ArrowType.Int
          || t instanceof ArrowType.FloatingPoint
          || t instanceof ArrowType.Bool
          || t instanceof ArrowType.Date
          || t instanceof ArrowType.Timestamp) {
        return f.getName();
      }
    }
    return fields.get(0).getName();
  }

  /** Lance's message without the JNI class name, the error kind prefix and Rust source places. */
  static String reason(Throwable e) {
    Throwable c = e.getCause() != null ? e.getCause() : e;
    String m = String.valueOf(c.getMessage());
    return m.replaceFirst("^[a-z]+(/[A-Za-z0-9_$]+)+: ", "")
        .replaceAll("LanceError\\(\\w+\\): ", "")
        .replace("Invalid user input: ", "")
        .replaceAll(",? ?/[\\w./-]+\\.rs:\\d+:\\d+", "")
        .trim();
  }
}
