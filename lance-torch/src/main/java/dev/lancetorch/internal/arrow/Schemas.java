package dev.lancetorch.internal.arrow;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Column checks against a table's schema, with messages naming table and column. */
public final class Schemas {
  private Schemas() {}

  /** Fails unless table {@code table}'s {@code schema} has every one of {@code columns}. */
  public static void requireColumns(
      Schema schema, String table, List<String> columns, String what) {
    List<String> names = schema.getFields().stream().map(Field::getName).toList();
    for (String c : columns) {
      if (!names.contains(c)) {
        throw new IllegalArgumentException(
            what + ": table '" + table + "' has no column '" + c + "'; columns: " + names);
      }
    }
  }
}
