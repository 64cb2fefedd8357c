package dev.lancetorch.torch;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;

/** Column builders shared by the FixedSizeList, stack, null and release tests. */
final class Columns {
  private Columns() {}

  static float emb(int row, int k) {
    return row * 10 + k + 0.5f;
  }

  /** FixedSizeList<float32, d> with value emb(r, k); rows in nullRows are null. */
  static FixedSizeListVector embeddings(
      BufferAllocator a, String name, int rows, int d, int... nullRows) {
    FixedSizeListVector v = FixedSizeListVector.empty(name, d, a);
    v.addOrGetVector(
        FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)));
    v.allocateNew();
    Float4Vector items = (Float4Vector) v.getDataVector();
    items.allocateNew(Math.max(1, rows * d));
    for (int r = 0; r < rows; r++) {
      v.startNewValue(r);
      for (int k = 0; k < d; k++) {
        items.setSafe(r * d + k, emb(r, k));
      }
    }
    for (int r : nullRows) {
      v.setNull(r);
    }
    items.setValueCount(rows * d);
    v.setValueCount(rows);
    return v;
  }

  static Float4Vector floats(
      BufferAllocator a, String name, int rows, float scale, int... nullRows) {
    Float4Vector v = new Float4Vector(name, a);
    v.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      v.set(i, i * scale);
    }
    for (int r : nullRows) {
      v.setNull(r);
    }
    v.setValueCount(rows);
    return v;
  }

  static IntVector ints(BufferAllocator a, String name, int rows) {
    IntVector v = new IntVector(name, a);
    v.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      v.set(i, 1000 + i);
    }
    v.setValueCount(rows);
    return v;
  }
}
