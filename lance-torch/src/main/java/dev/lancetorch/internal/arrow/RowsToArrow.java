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
 * Builds Arrow data from rows given as {@code Map<String, Object>} with schema inference. Rules:
 * Long/Integer/Short/Byte → int64; Double/Float → float64; Boolean → bool; String → utf8; byte[] →
 * binary; float[] → fixed_size_list&lt;float32, n&gt; (same n for the whole column); java.util.List
 * → list&lt;element type by these rules&gt;. Columns in order of first appearance, all nullable;
 * missing key or null value = null; all-null or mixed-type columns are rejected.
 */
public final class RowsToArrow {
  private RowsToArrow() {}

  /**
   * @return a new root allocated from {@code allocator}; the caller owns and closes it
   */
  public static VectorSchemaRoot toRoot(List<Map<String, Object>> rows, BufferAllocator allocator) {
    if (rows == null || rows.isEmpty()) {
      throw new IllegalArgumentException(
          "cannot infer a schema from no rows; pass at least one row or a VectorSchemaRoot");
    }
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    for (Map<String, Object> row : rows) {
      for (String key : row.keySet()) {
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
      fields.add(infer(c.getKey(), c.getValue()));
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

  static Field infer(String name, List<?> values) {
    Object first = null;
    for (Object v : values) {
      if (v != null) {
        first = v;
        break;
      }
    }
    if (first == null) {
      throw new IllegalArgumentException(
          "column '" + name + "' has only null values; its type cannot be inferred");
    }
    Kind kind = Kind.of(name, first);
    List<Object> elements = new ArrayList<>();
    int fixedSize = -1;
    for (Object v : values) {
      if (v == null) {
        continue;
      }
      if (Kind.of(name, v) != kind) {
        throw new IllegalArgumentException(
            "column '"
                + name
                + "' mixes "
                + first.getClass().getSimpleName()
                + " and "
                + v.getClass().getSimpleName()
                + " values");
      }
      if (kind == Kind.VECTOR) {
        int n = ((float[]) v).length;
        if (fixedSize >= 0 && n != fixedSize) {
          throw new IllegalArgumentException(
              "column '" + name + "' has float[] of lengths " + fixedSize + " and " + n);
        }
        fixedSize = n;
      } else if (kind == Kind.LIST) {
        elements.addAll((List<?>) v);
      }
    }
    switch (kind) {
      case INT:
        return Field.nullable(name, new ArrowType.Int(64, true));
      case FLOAT:
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
        return new Field(
            name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(infer("item", elements)));
      default:
        throw new AssertionError(kind);
    }
  }

  private enum Kind {
    INT,
    FLOAT,
    BOOL,
    STRING,
    BINARY,
    VECTOR,
    LIST;

    static Kind of(String column, Object v) {
      if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        return INT;
      }
      if (v instanceof Double || v instanceof Float) {
        return FLOAT;
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
