package dev.lancetorch.internal.arrow;

import dev.lancetorch.Table;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;

/** Column checks against a table's schema, with messages naming table and column. */
public final class Schemas {
  private Schemas() {}

  public static void requireColumns(Table table, List<String> columns, String what) {
    List<String> names = table.schema().getFields().stream().map(Field::getName).toList();
    for (String c : columns) {
      if (!names.contains(c)) {
        throw new IllegalArgumentException(
            what + ": table '" + table.name() + "' has no column '" + c + "'; columns: " + names);
      }
    }
  }
}
