package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * Issue 24 items 16 (row inference, orphan table directories) and 17 (each boxed Java type keeps
 * its width).
 */
class RowInferenceTest extends LocalDbFixture {

  private static ArrowType typeOf(Table t, String column) {
    return t.schema().findField(column).getType();
  }

  @Test
  void boxedTypesKeepTheirOwnWidth() {
    Map<String, Object> row = new HashMap<>();
    row.put("b", (byte) 1);
    row.put("s", (short) 2);
    row.put("i", 3);
    row.put("l", 4L);
    row.put("f", 5.5f);
    row.put("d", 6.5);
    row.put("fl", List.of(1f, 2f));
    row.put("il", List.of(1, 2));
    Map<String, Object> wider = new HashMap<>(row);
    wider.put("i", 7L); // Integer and Long in one column: the widest, int64
    wider.put("mixed", 1.5);
    row.put("mixed", 2.5f);
    try (Table t = db.createTable("w", List.of(row, wider))) {
      assertThat(typeOf(t, "b")).isEqualTo(new ArrowType.Int(8, true));
      assertThat(typeOf(t, "s")).isEqualTo(new ArrowType.Int(16, true));
      assertThat(typeOf(t, "i")).isEqualTo(new ArrowType.Int(64, true));
      assertThat(typeOf(t, "l")).isEqualTo(new ArrowType.Int(64, true));
      assertThat(typeOf(t, "f"))
          .isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
      assertThat(typeOf(t, "d"))
          .isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
      assertThat(typeOf(t, "mixed"))
          .isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
      assertThat(t.schema().findField("fl").getChildren().get(0).getType())
          .isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
      assertThat(t.schema().findField("il").getChildren().get(0).getType())
          .isEqualTo(new ArrowType.Int(32, true));
      try (VectorSchemaRoot r = t.takeOffsets(new long[] {1, 0}, List.of("b", "s", "f", "i"))) {
        assertThat(r.getVector("b").getObject(0)).isEqualTo((byte) 1);
        assertThat(r.getVector("s").getObject(0)).isEqualTo((short) 2);
        assertThat(r.getVector("f").getObject(0)).isEqualTo(5.5f);
        assertThat(r.getVector("i").getObject(0)).isEqualTo(7L);
        assertThat(r.getVector("i").getObject(1)).isEqualTo(3L);
      }
    }
    try (Table t = db.createTable("int32", List.of(Map.of("i", 1)))) {
      assertThat(typeOf(t, "i")).isEqualTo(new ArrowType.Int(32, true));
      try (VectorSchemaRoot r = t.takeOffsets(new long[] {0}, null)) {
        assertThat(r.getVector("i")).isInstanceOf(IntVector.class);
      }
    }
  }

  @Test
  void addWidensNumbersToTheTablesTypeButNeverNarrows() {
    try (Table t = db.createTable("t", List.of(Map.of("id", 1L, "x", 1.0)))) {
      t.add(List.of(Map.of("id", 2, "x", 2.5f))); // Integer into int64, Float into float64
      assertThat(t.countRows()).isEqualTo(2);
      try (VectorSchemaRoot r = t.takeOffsets(new long[] {1}, null)) {
        assertThat(r.getVector("id").getObject(0)).isEqualTo(2L);
        assertThat(r.getVector("x").getObject(0)).isEqualTo(2.5);
      }
    }
    try (Table t = db.createTable("narrow", List.of(Map.of("id", 1)))) {
      assertThatThrownBy(() -> t.add(List.of(Map.of("id", 5_000_000_000L))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("schema of the data does not match table 'narrow'");
    }
  }

  @Test
  void rowsLanceCannotReadBackAreRefusedNamingTheColumn() {
    assertThatThrownBy(
            () -> db.createTable("v", List.of(Map.of("vecs", List.of(new float[] {1, 2})))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 'vecs' is a list of float[]");
    assertThatThrownBy(
            () ->
                db.createTable("e", List.of(Map.of("id", 1L, "tags", List.of()), Map.of("id", 2L))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 'tags' has only empty lists")
        .hasMessageNotContaining("'item'");
    assertThatThrownBy(() -> db.createTable("n", List.of(Map.of("", 1L))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty column name");
    Map<String, Object> nullKey = new HashMap<>();
    nullKey.put(null, 1L);
    nullKey.put("id", 1L);
    assertThatThrownBy(() -> db.createTable("k", List.of(nullKey)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null column name");
    Schema unnamed =
        new Schema(List.of(Field.nullable("", new ArrowType.Int(64, true)))); // a user's root
    try (VectorSchemaRoot root = VectorSchemaRoot.create(unnamed, allocator)) {
      root.setRowCount(0);
      assertThatThrownBy(() -> db.createTable("u", root))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("table 'u': a column has an empty name");
    }
    assertThatThrownBy(() -> db.createEmptyTable("u", unnamed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty name");
    assertThat(db.tableNames()).isEmpty();
  }

  @Test
  void anOrphanTableDirectoryIsNoTableAndCreateWritesOverIt() throws Exception {
    Files.createDirectories(dir.resolve("o.lance/data"));
    Files.write(dir.resolve("o.lance/data/left-over.lance"), new byte[] {1, 2, 3});
    assertThat(db.tableNames()).doesNotContain("o");
    assertThatThrownBy(() -> db.openTable("o")).isInstanceOf(TableNotFoundException.class);
    assertThatThrownBy(() -> db.dropTable("o")).isInstanceOf(TableNotFoundException.class);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long i = 0; i < 10; i++) {
      rows.add(Map.of("id", i));
    }
    try (Table t = db.createTable("o", rows)) {
      assertThat(t.countRows()).isEqualTo(10);
    }
    assertThat(db.tableNames()).containsExactly("o");
    try (Table t = db.openTable("o")) {
      assertThat(t.countRows("id >= 5")).isEqualTo(5);
    }
  }
}
