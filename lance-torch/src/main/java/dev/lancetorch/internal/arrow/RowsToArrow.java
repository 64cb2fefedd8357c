package dev.lancetorch.internal.arrow;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Builds Arrow data from rows given as {@code Map<String, Object>} with schema inference. Each
 * boxed Java type keeps its own width: Byte → int8, Short → int16, Integer → int32, Long → int64,
 * Float → float32, Double → float64 (a column mixing widths of one family takes the widest: Integer
 * and Long values make an int64 column; integers and floats do not mix); Boolean → bool; String →
 * utf8; byte[] → binary; float[] → fixed_size_list&lt;float32, n&gt; (same n ≥ 1 for the whole
 * column); java.util.List → list&lt;element type by these rules, not a float[]&gt;. Columns in
 * order of first appearance, all nullable; missing key or null value = null. Rejected with an
 * {@link IllegalArgumentException} naming the column: a null or empty column name, an all-null
 * column, a column of only empty lists, mixed types, zero-length float[] values, lists of float[].
 */
public final class RowsToArrow {
  private RowsToArrow() {}

  /**
   * @return a new root allocated from {@code allocator}; the caller owns and closes it
   */
  public static VectorSchemaRoot toRoot(List<Map<String, Object>> rows, BufferAllocator allocator) {
    return toRoot(rows, allocator, null);
  }

  /**
   * As {@link #toRoot(List, BufferAllocator)}; a top-level numeric column that {@code target} (the
   * schema of the table the rows go to, or null) declares with a wider type of the same family is
   * built with the target's type (an Integer added to an int64 column is written as int64).
   *
   * @return a new root allocated from {@code allocator}; the caller owns and closes it
   */
  public static VectorSchemaRoot toRoot(
      List<Map<String, Object>> rows, BufferAllocator allocator, Schema target) {
    if (rows == null || rows.isEmpty()) {
      throw new IllegalArgumentException(
          "cannot infer a schema from no rows; pass at least one row or a VectorSchemaRoot");
    }
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    for (int r = 0; r < rows.size(); r++) {
      Map<String, Object> row = rows.get(r);
      if (row == null) {
        throw new IllegalArgumentException("row " + r + " is null");
      }
      for (String key : row.keySet()) {
        if (key == null || key.isEmpty()) {
          throw new IllegalArgumentException(
              "row " + r + " has " + (key == null ? "a null" : "an empty") + " column name");
        }
        columns.computeIfAbsent(key, k -> new ArrayList<>());
      }
    }
    for (Map<String, Object> row : rows) {
      for (Map.Entry<String, List<Object>> c : columns.entrySet()) {
        c.getValue().add(row.get(c.getKey()));
      }
    }
    List<Field> fields = new ArrayList<>();
    for (Map.Entry<String, List<Object>> c : columns.entrySet()) {
      Field inferred = infer(c.getKey(), c.getKey(), c.getValue());
      fields.add(widenedTo(target, inferred));
    }
    VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
    try {
      root.allocateNew();
      int i = 0;
      for (List<Object> values : columns.values()) {
        FieldVector v = root.getVector(i++);
        for (int r = 0; r < values.size(); r++) {
          set(v, r, values.get(r));
        }
        v.setValueCount(values.size());
      }
      root.setRowCount(rows.size());
      return root;
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  /**
   * A view of {@code root} (same vectors, no copy; close only {@code root}) with its columns in the
   * order of {@code target} when both have the same column names; otherwise {@code root} itself.
   */
  public static VectorSchemaRoot inColumnOrderOf(Schema target, VectorSchemaRoot root) {
    List<FieldVector> ordered = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    for (Field f : target.getFields()) {
      FieldVector v = root.getVector(f.getName());
      if (v == null) {
        return root;
      }
      ordered.add(v);
      fields.add(root.getSchema().findField(f.getName()));
    }
    if (ordered.size() != root.getFieldVectors().size()) {
      return root;
    }
    // keep the declared fields (list children named "item"), not the vectors' internal names
    return new VectorSchemaRoot(new Schema(fields), ordered, root.getRowCount());
  }

  /** {@code inferred}, or the target's field of that name when it is a wider number type. */
  private static Field widenedTo(Schema target, Field inferred) {
    if (target == null) {
      return inferred;
    }
    Field t = null;
    for (Field f : target.getFields()) {
      if (f.getName().equals(inferred.getName())) {
        t = f;
      }
    }
    if (t == null) {
      return inferred;
    }
    ArrowType have = inferred.getType();
    ArrowType want = t.getType();
    boolean wider =
        (have instanceof ArrowType.Int h
                && want instanceof ArrowType.Int w
                && w.getIsSigned()
                && w.getBitWidth() >= h.getBitWidth())
            || (have instanceof ArrowType.FloatingPoint hf
                && want instanceof ArrowType.FloatingPoint wf
                && wf.getPrecision().compareTo(hf.getPrecision()) >= 0);
    return wider ? Field.nullable(inferred.getName(), want) : inferred;
  }

  /**
   * @param name the field's name ({@code "item"} for list elements)
   * @param label the column as messages name it ({@code "tags"}, {@code "tags[]"} for its elements)
   */
  static Field infer(String name, String label, List<?> values) {
    Object first = null;
    for (Object v : values) {
      if (v != null) {
        first = v;
        break;
      }
    }
    if (first == null) {
      throw new IllegalArgumentException(
          values.isEmpty()
              ? "column '"
                  + label.substring(0, label.length() - 2)
                  + "' has only empty lists; the type of its elements cannot be inferred"
              : "column '" + label + "' has only null values; its type cannot be inferred");
    }
    Kind kind = Kind.of(label, first);
    List<Object> elements = new ArrayList<>();
    int fixedSize = -1;
    for (Object v : values) {
      if (v == null) {
        continue;
      }
      Kind k = Kind.of(label, v);
      if (k.family() != kind.family()) {
        throw new IllegalArgumentException(
            "column '"
                + label
                + "' mixes "
                + first.getClass().getSimpleName()
                + " and "
                + v.getClass().getSimpleName()
                + " values");
      }
      if (k.ordinal() > kind.ordinal()) {
        kind = k; // the widest of one family
      }
      if (k == Kind.VECTOR) {
        int n = ((float[]) v).length;
        if (n == 0) {
          throw new IllegalArgumentException(
              "column '"
                  + label
                  + "' has a zero-length float[]: a fixed-size list needs a width of at least 1"
                  + " (use null for a missing vector, or a List<Float> for variable lengths)");
        }
        if (fixedSize >= 0 && n != fixedSize) {
          throw new IllegalArgumentException(
              "column '" + label + "' has float[] of lengths " + fixedSize + " and " + n);
        }
        fixedSize = n;
      } else if (k == Kind.LIST) {
        elements.addAll((List<?>) v);
      }
    }
    switch (kind) {
      case INT8:
        return Field.nullable(name, new ArrowType.Int(8, true));
      case INT16:
        return Field.nullable(name, new ArrowType.Int(16, true));
      case INT32:
        return Field.nullable(name, new ArrowType.Int(32, true));
      case INT64:
        return Field.nullable(name, new ArrowType.Int(64, true));
      case FLOAT32:
        return Field.nullable(name, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
      case FLOAT64:
        return Field.nullable(name, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
      case BOOL:
        return Field.nullable(name, ArrowType.Bool.INSTANCE);
      case STRING:
        return Field.nullable(name, ArrowType.Utf8.INSTANCE);
      case BINARY:
        return Field.nullable(name, ArrowType.Binary.INSTANCE);
      case VECTOR:
        return new Field(
            name,
            FieldType.nullable(new ArrowType.FixedSizeList(fixedSize)),
            List.of(
                Field.nullable(
                    "item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))));
      case LIST:
        for (Object e : elements) {
          if (e instanceof float[]) {
            throw new IllegalArgumentException(
                "column '"
                    + label
                    + "' is a list of float[]: takes could not read a list of fixed-size lists back"
                    + " (Arrow Java cannot copy their rows); store one float[] per row, or a"
                    + " List<Float>");
          }
        }
        return new Field(
            name,
            FieldType.nullable(ArrowType.List.INSTANCE),
            List.of(infer("item", label + "[]", elements)));
      default:
        throw new AssertionError(kind);
    }
  }

  /** Value kinds; within a family ({@link #family()}) in order of width. */
  private enum Kind {
    INT8,
    INT16,
    INT32,
    INT64,
    FLOAT32,
    FLOAT64,
    BOOL,
    STRING,
    BINARY,
    VECTOR,
    LIST;

    /** Kinds of one family mix in a column (the widest wins); others do not. */
    int family() {
      return switch (this) {
        case INT8, INT16, INT32, INT64 -> 0;
        case FLOAT32, FLOAT64 -> 1;
        default -> 2 + ordinal();
      };
    }

    static Kind of(String column, Object v) {
      if (v instanceof Long) {
        return INT64;
      }
      if (v instanceof Integer) {
        return INT32;
      }
      if (v instanceof Short) {
        return INT16;
      }
      if (v instanceof Byte) {
        return INT8;
      }
      if (v instanceof Double) {
        return FLOAT64;
      }
      if (v instanceof Float) {
        return FLOAT32;
      }
      if (v instanceof Boolean) {
        return BOOL;
      }
      if (v instanceof String) {
        return STRING;
      }
      if (v instanceof byte[]) {
        return BINARY;
      }
      if (v instanceof float[]) {
        return VECTOR;
      }
      if (v instanceof List) {
        return LIST;
      }
      throw new IllegalArgumentException(
          "column '" + column + "': unsupported value type " + v.getClass().getName());
    }
  }

  private static void set(FieldVector v, int index, Object value) {
    if (value == null) {
      if (v instanceof FixedSizeListVector fsl) {
        fsl.setNull(index);
      } else if (v instanceof ListVector list) {
        list.setNull(index);
      } else {
        v.setNull(index);
      }
      return;
    }
    if (v instanceof BigIntVector b) {
      b.setSafe(index, ((Number) value).longValue());
    } else if (v instanceof IntVector b) {
      b.setSafe(index, ((Number) value).intValue());
    } else if (v instanceof SmallIntVector b) {
      b.setSafe(index, ((Number) value).shortValue());
    } else if (v instanceof TinyIntVector b) {
      b.setSafe(index, ((Number) value).byteValue());
    } else if (v instanceof Float8Vector f) {
      f.setSafe(index, ((Number) value).doubleValue());
    } else if (v instanceof Float4Vector f) {
      f.setSafe(index, ((Number) value).floatValue());
    } else if (v instanceof BitVector b) {
      b.setSafe(index, ((Boolean) value) ? 1 : 0);
    } else if (v instanceof VarCharVector s) {
      s.setSafe(index, ((String) value).getBytes(StandardCharsets.UTF_8));
    } else if (v instanceof VarBinaryVector b) {
      b.setSafe(index, (byte[]) value);
    } else if (v instanceof FixedSizeListVector fsl) {
      float[] a = (float[]) value;
      fsl.setNotNull(index);
      Float4Vector child = (Float4Vector) fsl.getDataVector();
      int base = index * fsl.getListSize();
      for (int i = 0; i < a.length; i++) {
        child.setSafe(base + i, a[i]);
      }
    } else if (v instanceof ListVector list) {
      List<?> items = (List<?>) value;
      int offset = list.startNewValue(index);
      FieldVector child = list.getDataVector();
      for (int i = 0; i < items.size(); i++) {
        set(child, offset + i, items.get(i));
      }
      list.endValue(index, items.size());
    } else {
      throw new IllegalStateException("no writer for " + v.getClass().getName());
    }
  }
}
