package dev.lancetorch.internal.read;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The columns a native gather reads ({@link WindowReader}, {@link NativeColumnCache}): base names
 * in output order, the data columns among them, the index of {@code _rowid} (filled from row
 * addresses) or -1, the bytes of one row, and the Arrow schema of the output batches. Only
 * fixed-width columns qualify: integers, floats, bools and {@code FixedSizeList}s of those.
 */
public record ReadColumns(
    List<String> names, List<String> dataColumns, int addressColumn, long rowBytes, Schema schema) {

  /**
   * The read of {@code columns} of a table with schema {@code table}, or null when a column does
   * not qualify.
   */
  public static ReadColumns of(Schema table, List<String> columns) {
    List<String> data = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    int addressCol = -1;
    long rowBytes = 0;
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
        return null;
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
        new Schema(fields));
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
}
