package dev.lancetorch.internal.arrow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/** Column renames, applied per batch by moving buffers into renamed vectors (no copy). */
public final class Renames {
  private Renames() {}

  /**
   * {@code root} with columns renamed; takes ownership of {@code root}, returns a root the caller
   * owns.
   */
  public static VectorSchemaRoot apply(VectorSchemaRoot root, Map<String, String> renames) {
    if (renames.isEmpty()) {
      return root;
    }
    List<FieldVector> out = new ArrayList<>();
    int rows = root.getRowCount();
    try {
      for (FieldVector v : root.getFieldVectors()) {
        String to = renames.get(v.getName());
        if (to == null) {
          TransferPair tp = v.getTransferPair(v.getAllocator());
          tp.transfer();
          out.add((FieldVector) tp.getTo());
        } else {
          TransferPair tp = v.getTransferPair(renamed(v.getField(), to), v.getAllocator());
          tp.transfer();
          out.add((FieldVector) tp.getTo());
        }
      }
    } catch (RuntimeException e) {
      out.forEach(FieldVector::close);
      throw e;
    } finally {
      root.close();
    }
    return new VectorSchemaRoot(out.stream().map(FieldVector::getField).toList(), out, rows);
  }

  public static Field renamed(Field f, String name) {
    return new Field(name, f.getFieldType(), f.getChildren());
  }

  public static Schema apply(Schema schema, Map<String, String> renames) {
    return new Schema(
        schema.getFields().stream()
            .map(f -> renames.containsKey(f.getName()) ? renamed(f, renames.get(f.getName())) : f)
            .toList(),
        schema.getCustomMetadata());
  }
}
