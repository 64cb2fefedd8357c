package dev.lancetorch.internal.arrow;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Checks Arrow data before Lance writes it. Lance (lance-core 7.0.0) trusts what it is handed and
 * panics where it cannot unwind through JNI — the JVM aborts — on a fixed-size list of width 0
 * ("attempt to divide by zero") and on arrays shorter than the batch (a column with fewer values
 * than rows, a fixed-size-list child shorter than rows × width, offsets past the end of the data).
 * So every write path checks the schema and each batch here, the way the bridge's import checks
 * what it reads ({@code NativeBatch.fromRoot}), and refuses bad data with an {@link
 * IllegalArgumentException} naming the table and the column.
 */
public final class WriteChecks {
  private WriteChecks() {}

  /**
   * Refuses a schema Lance cannot write or read back: an empty or duplicate column name, a
   * fixed-size list of width below 1 (at any depth).
   *
   * @param table the table written, for the message
   */
  public static void requireWritable(Schema schema, String table) {
    Set<String> names = new HashSet<>();
    for (Field f : schema.getFields()) {
      if (f.getName() == null || f.getName().isEmpty()) {
        throw new IllegalArgumentException(
            "table '" + table + "': a column has an empty name (columns: " + names(schema) + ")");
      }
      if (!names.add(f.getName())) {
        throw new IllegalArgumentException(
            "table '" + table + "': column '" + f.getName() + "' appears twice");
      }
      requireWritable(f, f.getName(), table);
    }
  }

  private static void requireWritable(Field f, String path, String table) {
    if (f.getType() instanceof ArrowType.FixedSizeList fsl && fsl.getListSize() < 1) {
      throw new IllegalArgumentException(
          "table '"
              + table
              + "': column '"
              + path
              + "' is a fixed-size list of width "
              + fsl.getListSize()
              + "; Lance needs a width of at least 1 (use a variable-length list instead)");
    }
    for (Field c : f.getChildren()) {
      requireWritable(c, path + "." + c.getName(), table);
    }
  }

  /**
   * Refuses a batch whose arrays are shorter than its row count says (see the class comment).
   *
   * @param table the table written, for the message
   */
  public static void requireConsistent(VectorSchemaRoot root, String table) {
    requireWritable(root.getSchema(), table);
    long rows = root.getRowCount();
    for (FieldVector v : root.getFieldVectors()) {
      requireLength(v, rows, v.getName(), table);
    }
  }

  private static void requireLength(FieldVector v, long rows, String path, String table) {
    if (v.getValueCount() < rows) {
      throw shortData(
          table, path, v.getValueCount() + " values, but the batch needs " + rows + " rows");
    }
    if (v instanceof BitVector b) {
      requireBytes(b.getDataBuffer(), (rows + 7) / 8, path, table, "value bitmap");
    } else if (v instanceof BaseFixedWidthVector f) {
      requireBytes(f.getDataBuffer(), rows * f.getTypeWidth(), path, table, "value buffer");
    } else if (v instanceof BaseVariableWidthVector w) {
      long end = endOffset(w.getOffsetBuffer(), rows, 4, path, table);
      requireBytes(w.getDataBuffer(), end, path, table, "value buffer");
    } else if (v instanceof BaseLargeVariableWidthVector w) {
      long end = endOffset(w.getOffsetBuffer(), rows, 8, path, table);
      requireBytes(w.getDataBuffer(), end, path, table, "value buffer");
    } else if (v instanceof FixedSizeListVector fsl) {
      int width = fsl.getListSize();
      if (width < 1) {
        throw new IllegalArgumentException(
            "table '"
                + table
                + "': column '"
                + path
                + "' is a fixed-size list of width "
                + width
                + "; Lance needs a width of at least 1");
      }
      requireLength(fsl.getDataVector(), rows * width, path + ".items", table);
    } else if (v instanceof LargeListVector l) {
      long end = endOffset(l.getOffsetBuffer(), rows, 8, path, table);
      requireLength(l.getDataVector(), end, path + ".items", table);
    } else if (v instanceof ListVector l) { // also MapVector
      long end = endOffset(l.getOffsetBuffer(), rows, 4, path, table);
      requireLength(l.getDataVector(), end, path + ".items", table);
    } else if (v instanceof StructVector s) {
      List<FieldVector> children = s.getChildrenFromFields();
      for (FieldVector c : children) {
        requireLength(c, rows, path + "." + c.getName(), table);
      }
    }
  }

  /**
   * The offset ending row {@code rows - 1}, after checking the offsets buffer holds {@code rows +
   * 1} entries that never decrease.
   */
  private static long endOffset(ArrowBuf offsets, long rows, int width, String path, String table) {
    if (rows == 0) {
      return 0;
    }
    requireBytes(offsets, (rows + 1) * width, path, table, "offset buffer");
    long prev = width == 4 ? offsets.getInt(0) : offsets.getLong(0);
    if (prev < 0) {
      throw shortData(table, path, "a negative first offset " + prev);
    }
    for (long r = 1; r <= rows; r++) {
      long o = width == 4 ? offsets.getInt(r * 4) : offsets.getLong(r * 8);
      if (o < prev) {
        throw shortData(table, path, "offsets that decrease at row " + (r - 1));
      }
      prev = o;
    }
    return prev;
  }

  private static void requireBytes(
      ArrowBuf buf, long need, String path, String table, String what) {
    long have = buf == null ? 0 : buf.capacity();
    if (need > 0 && have < need) {
      throw shortData(table, path, "a " + what + " of " + have + " bytes, " + need + " needed");
    }
  }

  private static IllegalArgumentException shortData(String table, String path, String what) {
    return new IllegalArgumentException(
        "table '"
            + table
            + "': column '"
            + path
            + "' has "
            + what
            + " (the batch's arrays are shorter than its row count; set each vector's value"
            + " count, or the root's row count, to the rows written)");
  }

  private static List<String> names(Schema schema) {
    return schema.getFields().stream().map(f -> "'" + f.getName() + "'").toList();
  }
}
