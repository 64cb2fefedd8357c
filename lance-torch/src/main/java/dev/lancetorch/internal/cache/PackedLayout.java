package dev.lancetorch.internal.cache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Which columns of a cache file are kept in packed rows, and where in a row each lies. A random
 * gather loads one cache line a row of them instead of one per column:
 *
 * <ul>
 *   <li>numeric columns and fixed-size lists of numbers (not bool): their values, side by side, in
 *       place of their values buffers ({@code x, y, z: float32, label: int64} → 20 bytes a row);
 *   <li>binary and utf8 columns (and their large forms) whose values are mostly short (half or more
 *       of the first block's at most 12 bytes): a 16-byte slot a row (length, and the bytes when at
 *       most 12, else where they start), beside their buffers, which stay as they are.
 * </ul>
 *
 * Rows are packed when there are two fixed-width columns or one slot column: numbers first, then
 * slots, each in schema order, without padding.
 *
 * @param columns top-level indices of the packed columns
 * @param slot whether each is a slot column (else its values are in the rows)
 * @param buffers each column's values buffer among a block's buffers (Arrow's unload order: a
 *     vector's buffers, then its children's), or for a slot column its first buffer (validity, then
 *     offsets, then data)
 * @param bytes each column's bytes a row (16 for a slot)
 * @param at each column's byte offset in a row
 * @param stride bytes a packed row
 */
record PackedLayout(
    int[] columns, boolean[] slot, int[] buffers, long[] bytes, long[] at, long stride) {

  /** Bytes of a slot (lt_batch_slot_column). */
  static final long SLOT_BYTES = 16;

  /** The longest value a slot holds itself. */
  static final int SLOT_INLINE = 12;

  /**
   * The layout the writer uses for {@code schema}, given its first block {@code first} (borrowed):
   * null when nothing is packed.
   */
  static PackedLayout choose(Schema schema, List<ArrowBuf> first, int rows) {
    List<Field> fields = schema.getFields();
    List<Integer> fixed = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    int[] start = bufferStarts(schema);
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      if (rowBytes(f) > 0) {
        fixed.add(i);
      } else if (isBytes(f) && mostlyShort(f, first, start[i], rows)) {
        slots.add(i);
      }
    }
    if (fixed.size() < 2 && slots.isEmpty()) {
      return null;
    }
    List<Integer> cols = new ArrayList<>(fixed);
    cols.addAll(slots);
    int[] c = cols.stream().mapToInt(Integer::intValue).toArray();
    long[] places = new long[c.length];
    long stride = 0;
    for (int k = 0; k < c.length; k++) {
      places[k] = stride;
      stride += k < fixed.size() ? rowBytes(fields.get(c[k])) : SLOT_BYTES;
    }
    return of(schema, c, places, stride);
  }

  /**
   * The layout of columns {@code columns} of {@code schema} at {@code places} in rows of {@code
   * stride} bytes: each numeric column (or fixed-size list of numbers) holds its values, each
   * binary / utf8 one a slot.
   *
   * @throws IllegalArgumentException when a column cannot be packed or they do not fit the rows
   *     side by side
   */
  static PackedLayout of(Schema schema, int[] columns, long[] places, long stride) {
    List<Field> fields = schema.getFields();
    int[] start = bufferStarts(schema);
    int n = columns.length;
    if (n == 0 || places.length != n || stride <= 0) {
      throw new IllegalArgumentException("no packed columns");
    }
    boolean[] slot = new boolean[n];
    int[] buffers = new int[n];
    long[] bytes = new long[n];
    boolean[] seen = new boolean[fields.size()];
    for (int k = 0; k < n; k++) {
      int c = columns[k];
      if (c < 0 || c >= fields.size() || seen[c]) {
        throw new IllegalArgumentException("packed column " + c + " out of range or twice");
      }
      seen[c] = true;
      Field f = fields.get(c);
      long w = rowBytes(f);
      if (w > 0) {
        bytes[k] = w;
        buffers[k] = start[c] + bufferCount(f) - 1;
      } else if (isBytes(f)) {
        slot[k] = true;
        bytes[k] = SLOT_BYTES;
        buffers[k] = start[c];
      } else {
        throw new IllegalArgumentException("column '" + f.getName() + "' cannot be packed");
      }
    }
    // side by side: no two overlap, all within a row
    Integer[] order = new Integer[n];
    for (int k = 0; k < n; k++) {
      order[k] = k;
    }
    Arrays.sort(order, (a, b) -> Long.compare(places[a], places[b]));
    long end = 0;
    for (int k : order) {
      if (places[k] < end || places[k] + bytes[k] > stride) {
        throw new IllegalArgumentException("packed columns overlap or leave the row");
      }
      end = places[k] + bytes[k];
    }
    return new PackedLayout(columns.clone(), slot, buffers, bytes, places.clone(), stride);
  }

  /** Per top-level column of a schema of {@code fields} columns: the stride, 0 when not packed. */
  long[] strides(int fields) {
    long[] s = new long[fields];
    for (int c : columns) {
      s[c] = stride;
    }
    return s;
  }

  /** Per top-level column: its place in a packed row, -1 when not packed. */
  long[] places(int fields) {
    long[] p = new long[fields];
    Arrays.fill(p, -1);
    for (int k = 0; k < columns.length; k++) {
      p[columns[k]] = at[k];
    }
    return p;
  }

  /**
   * Whether the values of a block's buffer {@code b} are in the packed rows (not written alone).
   */
  boolean inRows(int b) {
    for (int k = 0; k < columns.length; k++) {
      if (!slot[k] && buffers[k] == b) {
        return true;
      }
    }
    return false;
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

  /** Binary or utf8, or their large forms (validity, offsets, data). */
  static boolean isBytes(Field f) {
    ArrowType t = f.getType();
    return t instanceof ArrowType.Utf8
        || t instanceof ArrowType.LargeUtf8
        || t instanceof ArrowType.Binary
        || t instanceof ArrowType.LargeBinary;
  }

  static boolean isLarge(Field f) {
    return f.getType() instanceof ArrowType.LargeUtf8
        || f.getType() instanceof ArrowType.LargeBinary;
  }

  /** Half or more of the block's non-null values have at most {@link #SLOT_INLINE} bytes. */
  private static boolean mostlyShort(Field f, List<ArrowBuf> bufs, int start, int rows) {
    if (rows == 0) {
      return false;
    }
    ArrowBuf validity = bufs.get(start);
    ArrowBuf offsets = bufs.get(start + 1);
    boolean large = isLarge(f);
    int valid = 0;
    int shortOnes = 0;
    boolean nulls = validity.readableBytes() * 8 >= rows; // else no validity buffer: none null
    for (int r = 0; r < rows; r++) {
      if (nulls && (validity.getByte(r >> 3) >> (r & 7) & 1) == 0) {
        continue;
      }
      long len =
          large
              ? offsets.getLong(8L * (r + 1)) - offsets.getLong(8L * r)
              : offsets.getInt(4L * (r + 1)) - offsets.getInt(4L * r);
      valid++;
      shortOnes += len <= SLOT_INLINE ? 1 : 0;
    }
    return valid > 0 && 2 * shortOnes >= valid;
  }

  /** Each top-level column's first buffer in Arrow's unload order. */
  private static int[] bufferStarts(Schema schema) {
    List<Field> fields = schema.getFields();
    int[] start = new int[fields.size()];
    int b = 0;
    for (int i = 0; i < fields.size(); i++) {
      start[i] = b;
      b += bufferCount(fields.get(i));
    }
    return start;
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
