package dev.lancetorch.permutation;

import dev.lancetorch.Connection;
import dev.lancetorch.Table;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Test data: tables whose values are functions of the row id, so any read can be checked row by
 * row.
 */
final class TestTables {
  static final int DIM = 4;

  private TestTables() {}

  static Schema schema() {
    Field id = Field.notNullable("id", new ArrowType.Int(64, true));
    Field x = Field.notNullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    Field label = Field.nullable("label", ArrowType.Utf8.INSTANCE);
    Field vec =
        new Field(
            "vec",
            FieldType.notNullable(new ArrowType.FixedSizeList(DIM)),
            List.of(
                Field.notNullable(
                    "item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))));
    return new Schema(List.of(id, x, label, vec));
  }

  static float x(long id) {
    return id * 0.5f;
  }

  static float vec(long id, int j) {
    return id * 10f + j;
  }

  static String label(long id) {
    return id % 3 == 0 ? "train" : id % 3 == 1 ? "test" : "val";
  }

  /** Rows {@code [from, from + n)}; the caller closes the root. */
  static VectorSchemaRoot rows(BufferAllocator a, long from, int n) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema(), a);
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    Float4Vector x = (Float4Vector) root.getVector("x");
    VarCharVector label = (VarCharVector) root.getVector("label");
    FixedSizeListVector vec = (FixedSizeListVector) root.getVector("vec");
    Float4Vector items = (Float4Vector) vec.getDataVector();
    for (int i = 0; i < n; i++) {
      long r = from + i;
      id.setSafe(i, r);
      x.setSafe(i, x(r));
      label.setSafe(i, label(r).getBytes(StandardCharsets.UTF_8));
      vec.setNotNull(i);
      for (int j = 0; j < DIM; j++) {
        items.setSafe(i * DIM + j, vec(r, j));
      }
    }
    items.setValueCount(n * DIM);
    root.setRowCount(n);
    return root;
  }

  /**
   * A table of {@code fragments × perFragment} rows, one fragment per write; ids in storage order.
   */
  static Table create(Connection db, String name, int fragments, int perFragment) {
    Table t;
    try (VectorSchemaRoot first = rows(db.allocator(), 0, perFragment)) {
      t = db.createTable(name, first);
    }
    for (int f = 1; f < fragments; f++) {
      try (VectorSchemaRoot more = rows(db.allocator(), (long) f * perFragment, perFragment)) {
        t.add(more);
      }
    }
    return t;
  }

  static long address(int fragment, long offset) {
    return ((long) fragment << 32) | offset;
  }

  /** A permutation table from explicit (row address, split) pairs, stored in the order given. */
  static Table permutationTable(
      Connection db, String name, long[] rowIds, long[] splitIds, List<String> names) {
    Map<String, String> meta =
        names == null
            ? Map.of()
            : Map.of(
                Permutations.SPLIT_NAMES,
                names.stream()
                    .map(n -> "\"" + n + "\"")
                    .collect(java.util.stream.Collectors.joining(",", "[", "]")));
    ArrowType u64 = new ArrowType.Int(64, false);
    Schema s =
        new Schema(
            List.of(Field.notNullable("row_id", u64), Field.notNullable("split_id", u64)), meta);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(s, db.allocator())) {
      root.allocateNew();
      UInt8Vector r = (UInt8Vector) root.getVector("row_id");
      UInt8Vector sp = (UInt8Vector) root.getVector("split_id");
      for (int i = 0; i < rowIds.length; i++) {
        r.setSafe(i, rowIds[i]);
        sp.setSafe(i, splitIds[i]);
      }
      root.setRowCount(rowIds.length);
      return db.createTable(name, root);
    }
  }
}
