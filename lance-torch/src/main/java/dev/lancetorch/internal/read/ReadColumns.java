package dev.lancetorch.internal.read;

import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.NativeScan;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The columns a native gather reads ({@link WindowReader}, {@link NativeColumnCache}): base names
 * in output order, the data columns among them, the index of {@code _rowid} (filled from row
 * addresses) or -1, the bytes of one row (an estimate when a column is variable-length), and the
 * Arrow schema of the output batches. Columns that qualify: integers, floats, bools and {@code
 * FixedSizeList}s of those (fixed-width); lists and large lists of integers or floats, binary, utf8
 * and their large forms (variable-length: gathered natively as values + offsets, their bytes per
 * row estimated, see {@link #sampled}).
 *
 * @param fixedWidth true when every column is fixed-width (the native memory cache takes only
 *     those)
 */
public record ReadColumns(
    List<String> names,
    List<String> dataColumns,
    int addressColumn,
    long rowBytes,
    Schema schema,
    boolean fixedWidth) {
  /**
   * Bytes per row assumed for a variable-length column's values until {@link #sampled} measures
   * them (a short string or token list).
   */
  static final long VARIABLE_ROW_BYTES = 32;

  /** Rows {@link #sampled} reads to estimate the bytes per row of variable-length columns. */
  static final int SAMPLE_ROWS = 1024;

  /**
   * The read of {@code columns} of a table with schema {@code table}, or null when a column does
   * not qualify.
   */
  public static ReadColumns of(Schema table, List<String> columns) {
    List<String> data = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    int addressCol = -1;
    long rowBytes = 0;
    boolean fixed = true;
    for (int i = 0; i < columns.size(); i++) {
      String c = columns.get(i);
      Field f =
          table.getFields().stream().filter(x -> x.getName().equals(c)).findFirst().orElse(null);
      if (f == null && c.equals(RowReader.ROW_ID)) {
        addressCol = i;
        rowBytes += 8;
        fields.add(Field.nullable(c, new ArrowType.Int(64, false)));
        continue;
      }
      long w = f == null ? -1 : bytesPerRow(f);
      if (w < 0) {
        w = f == null ? -1 : variableBytesPerRow(f);
        if (w < 0) {
          return null;
        }
        fixed = false;
      }
      rowBytes += w;
      data.add(c);
      fields.add(f);
    }
    if (data.isEmpty()) {
      return null;
    }
    return new ReadColumns(
        List.copyOf(columns),
        List.copyOf(data),
        addressCol,
        Math.max(1, rowBytes),
        new Schema(fields),
        fixed);
  }

  /**
   * As {@link #of}, with the bytes per row of variable-length columns measured on the table's first
   * {@value #SAMPLE_ROWS} rows (one short native scan of those columns; values, offsets and
   * validity), so windows fit the read-ahead budget and the cost model sees real row sizes.
   */
  public static ReadColumns sampled(ReadTable table, List<String> columns) {
    ReadColumns cols = of(table.schema(), columns);
    if (cols == null || cols.fixedWidth()) {
      return cols;
    }
    List<String> variable = new ArrayList<>();
    long fixedBytes = cols.addressColumn() >= 0 ? 8 : 0;
    for (String c : cols.dataColumns()) {
      Field f = cols.schema().findField(c);
      long w = bytesPerRow(f);
      if (w < 0) {
        variable.add(c);
      } else {
        fixedBytes += w;
      }
    }
    long rows = 0;
    long bytes = 0;
    try (NativeScan scan =
        table.nativeScan(ReadScan.of(variable, SAMPLE_ROWS).limit(SAMPLE_ROWS))) {
      NativeBatch next;
      while ((next = scan.next()) != null) {
        try (NativeBatch b = next) {
          rows += b.numRows();
          bytes += b.payloadBytes();
        }
      }
    }
    if (rows == 0) {
      return cols;
    }
    long rowBytes = fixedBytes + Math.max(1, (bytes + rows - 1) / rows);
    return new ReadColumns(
        cols.names(), cols.dataColumns(), cols.addressColumn(), rowBytes, cols.schema(), false);
  }

  /** Bytes per row of a fixed-width field (bools count one byte), -1 when it does not qualify. */
  private static long bytesPerRow(Field f) {
    ArrowType t = f.getType();
    if (t instanceof ArrowType.FixedSizeList l && f.getChildren().size() == 1) {
      long item = bytesPerRow(f.getChildren().get(0));
      return item < 0 || f.getChildren().get(0).getType() instanceof ArrowType.FixedSizeList
          ? -1
          : item * l.getListSize();
    }
    if (t instanceof ArrowType.Int i) {
      return i.getBitWidth() / 8;
    }
    if (t instanceof ArrowType.FloatingPoint fp) {
      return switch (fp.getPrecision()) {
        case HALF -> 2;
        case SINGLE -> 4;
        case DOUBLE -> 8;
      };
    }
    if (t instanceof ArrowType.Bool) {
      return 1;
    }
    return -1;
  }

  /**
   * Estimated bytes per row of a variable-length field the gather takes (offsets plus {@value
   * #VARIABLE_ROW_BYTES} bytes of values), -1 when it does not qualify (bool or nested items,
   * dictionary-encoded).
   */
  private static long variableBytesPerRow(Field f) {
    if (f.getDictionary() != null) {
      return -1; // dictionary-encoded: the gather does not decode dictionaries
    }
    ArrowType t = f.getType();
    if (t instanceof ArrowType.Utf8 || t instanceof ArrowType.Binary) {
      return 4 + VARIABLE_ROW_BYTES;
    }
    if (t instanceof ArrowType.LargeUtf8 || t instanceof ArrowType.LargeBinary) {
      return 8 + VARIABLE_ROW_BYTES;
    }
    boolean list = t instanceof ArrowType.List;
    if ((list || t instanceof ArrowType.LargeList) && f.getChildren().size() == 1) {
      ArrowType item = f.getChildren().get(0).getType();
      if (item instanceof ArrowType.Int || item instanceof ArrowType.FloatingPoint) {
        return (list ? 4 : 8) + VARIABLE_ROW_BYTES;
      }
    }
    return -1;
  }
}
