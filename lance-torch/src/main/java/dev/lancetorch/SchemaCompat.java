package dev.lancetorch;

import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType.ArrowTypeID;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Checks that appended data has the table's columns and types (nullability and metadata ignored).
 */
final class SchemaCompat {
  private SchemaCompat() {}

  static void requireAppendable(Table table, Schema tableSchema, Schema data) {
    if (!sameFields(tableSchema.getFields(), data.getFields())) {
      throw new IllegalArgumentException(
          "schema of the data does not match table '"
              + table.nameUnchecked()
              + "' ("
              + table.uriUnchecked()
              + "): table has "
              + describe(tableSchema.getFields())
              + ", data has "
              + describe(data.getFields()));
    }
  }

  private static boolean sameFields(List<Field> a, List<Field> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Field x = a.get(i);
      Field y = b.get(i);
      if (!x.getName().equals(y.getName()) || !x.getType().equals(y.getType())) {
        return false;
      }
      // child names of list-like types differ between writers ("item" / "element"): compare types
      // only
      if (!sameChildren(
          x.getChildren(), y.getChildren(), x.getType().getTypeID() == ArrowTypeID.Struct)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameChildren(List<Field> a, List<Field> b, boolean namesMatter) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Field x = a.get(i);
      Field y = b.get(i);
      if ((namesMatter && !x.getName().equals(y.getName()))
          || !x.getType().equals(y.getType())
          || !sameChildren(
              x.getChildren(), y.getChildren(), x.getType().getTypeID() == ArrowTypeID.Struct)) {
        return false;
      }
    }
    return true;
  }

  private static String describe(List<Field> fields) {
    StringBuilder sb = new StringBuilder("[");
    for (Field f : fields) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(f.getName()).append(": ").append(f.getType());
      if (!f.getChildren().isEmpty()) {
        sb.append('<').append(describe(f.getChildren())).append('>');
      }
    }
    return sb.append(']').toString();
  }
}
