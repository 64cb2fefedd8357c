package dev.lancetorch.internal.cache;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Which columns of a cache file are stored as packed rows, and where in a row each lies: every
 * top-level numeric column and fixed-size list of numbers (not bool) when there are at least two,
 * in schema order without padding ({@code x, y, z: float32, label: int64} → 20-byte rows at 0, 4,
 * 8, 12). One random row of them is then one or two cache lines instead of one per column.
 *
 * @param columns top-level indices of the packed columns, ascending
 * @param valuesBuffers each packed column's values buffer among a block's buffers (Arrow's unload
 *     order: a vector's buffers, then its children's)
 * @param bytes each packed column's bytes a row
 * @param at each packed column's byte offset in a row
 * @param stride bytes a packed row
 */
record PackedLayout(int[] columns, int[] valuesBuffers, long[] bytes, long[] at, long stride) {

  /** The packed layout of {@code schema}'s columns, or null when fewer than two can be packed. */
  static PackedLayout of(Schema schema) {
    List<int[]> cols = new ArrayList<>(); // {column, values buffer}
    List<Long> widths = new ArrayList<>();
    int buffer = 0;
    List<Field> fields = schema.getFields();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      int count = bufferCount(f);
      long w = rowBytes(f);
      if (w > 0) {
        cols.add(new int[] {i, buffer + count - 1});
        widths.add(w);
      }
      buffer += count;
    }
    if (cols.size() < 2) {
      return null;
    }
    int n = cols.size();
    int[] c = new int[n];
    int[] vb = new int[n];
    long[] bytes = new long[n];
    long[] at = new long[n];
    long stride = 0;
    for (int k = 0; k < n; k++) {
      c[k] = cols.get(k)[0];
      vb[k] = cols.get(k)[1];
      bytes[k] = widths.get(k);
      at[k] = stride;
      stride += bytes[k];
    }
    return new PackedLayout(c, vb, bytes, at, stride);
  }

  /** Per top-level column of a schema of {@code fields} columns: the stride, 0 when not packed. */
  long[] strides(int fields) {
    long[] s = new long[fields];
    for (int c : columns) {
      s[c] = stride;
    }
    return s;
  }

  /** Bytes a row of a packable column (numbers, or a fixed-size list of numbers), else 0. */
  private static long rowBytes(Field f) {
    ArrowType t = f.getType();
    if (t instanceof ArrowType.FixedSizeList l && f.getChildren().size() == 1) {
      long item = scalarBytes(f.getChildren().get(0));
      return l.getListSize() > 0 ? item * l.getListSize() : 0;
    }
    return scalarBytes(f);
  }

  private static long scalarBytes(Field f) {
    if (!f.getChildren().isEmpty()) {
      return 0;
    }
    if (f.getType() instanceof ArrowType.Int i) {
      return i.getBitWidth() / 8;
    }
    if (f.getType() instanceof ArrowType.FloatingPoint fp) {
      return switch (fp.getPrecision()) {
        case HALF -> 2;
        case SINGLE -> 4;
        case DOUBLE -> 8;
      };
    }
    return 0;
  }

  /** Buffers of a field and its children in Arrow's unload order. */
  private static int bufferCount(Field f) {
    int n = TypeLayout.getTypeBufferCount(f.getType());
    for (Field c : f.getChildren()) {
      n += bufferCount(c);
    }
    return n;
  }
}
