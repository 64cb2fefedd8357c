package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lance.Dataset;

class ConnectionTest extends LocalDbFixture {
  @AfterEach
  void closeTwice() {
    db.close();
    db.close(); // idempotent (LocalDbFixture closes it a third time)
  }

  @Test
  void createdTableIsAPlainLanceDatasetInTheDatabaseDirectory() {
    try (VectorSchemaRoot root = TestData.rows(allocator, 0, 10);
        Table t = db.createTable("t", root)) {
      assertThat(t.uri()).isEqualTo(dir.resolve("t.lance").toString());
    }
    assertThat(Files.isDirectory(dir.resolve("t.lance"))).isTrue();
    try (BufferAllocator a = new RootAllocator();
        Dataset ds =
            Dataset.open(
                a,
                dir.resolve("t.lance").toString(),
                new org.lance.ReadOptions.Builder().build())) {
      assertThat(ds.countRows()).isEqualTo(10);
      assertThat(ds.getSchema().getFields())
          .extracting(Field::getName)
          .containsExactly("id", "val", "name");
    }
  }

  @Test
  void datasetWrittenWithTheSdkShowsUpAndOpens() throws Exception {
    try (VectorSchemaRoot root = TestData.rows(allocator, 0, 7);
        Dataset ds = TestData.sdkCreate(allocator, root, dir.resolve("x.lance")).execute()) {
      assertThat(ds.countRows()).isEqualTo(7);
    }
    Files.createDirectories(dir.resolve("not_a_table"));
    try (VectorSchemaRoot root = TestData.rows(allocator, 0, 1)) {
      db.createTable("b", root).close();
    }
    assertThat(db.tableNames()).containsExactly("b", "x");
    try (Table x = db.openTable("x")) {
      assertThat(x.countRows()).isEqualTo(7);
      assertThat(TestData.ids(x.query().toArrowReader())).isEqualTo(TestData.range(0, 7));
    }
  }

  @Test
  void fileUriAndPathNameTheSameDatabase() {
    try (VectorSchemaRoot root = TestData.rows(allocator, 0, 3)) {
      db.createTable("t", root).close();
    }
    try (Connection c =
            LanceDb.connect(
                dir.toUri().toString(), ConnectOptions.builder().allocator(allocator).build());
        Table t = c.openTable("t")) {
      assertThat(c.uri()).isEqualTo(dir.toAbsolutePath().normalize().toString());
      assertThat(t.countRows()).isEqualTo(3);
    }
  }

  @Test
  void createModes() {
    try (VectorSchemaRoot a = TestData.rows(allocator, 0, 5);
        VectorSchemaRoot b = TestData.rows(allocator, 100, 3)) {
      db.createTable("t", a).close();
      assertThatThrownBy(() -> db.createTable("t", b))
          .isInstanceOf(TableAlreadyExistsException.class)
          .hasMessageContaining("'t'")
          .hasMessageContaining(db.uri());
      try (Table t = db.createTable("t", b, CreateMode.EXIST_OK)) {
        assertThat(t.countRows()).isEqualTo(5);
      }
      try (Table t = db.createTable("t", b, CreateMode.OVERWRITE)) {
        assertThat(t.countRows()).isEqualTo(3);
        assertThat(t.version()).isEqualTo(2);
      }
    }
  }

  @Test
  void createEmptyTableThenAppend() throws Exception {
    try (Table t = db.createEmptyTable("e", TestData.SCHEMA)) {
      assertThat(t.countRows()).isZero();
      try (VectorSchemaRoot r = TestData.rows(allocator, 0, 4)) {
        t.add(r);
      }
      assertThat(TestData.ids(t.query().toArrowReader())).isEqualTo(TestData.range(0, 4));
    }
    assertThatThrownBy(() -> db.createEmptyTable("e", TestData.SCHEMA))
        .isInstanceOf(TableAlreadyExistsException.class);
  }

  @Test
  void rowsWithSchemaInference() throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Map<String, Object> r = new HashMap<>();
      r.put("i", i == 1 ? null : (Object) (i == 0 ? Integer.valueOf(7) : Long.valueOf(1L << 40)));
      r.put("d", 1.5 * i);
      r.put("b", i % 2 == 0);
      r.put("s", "s" + i);
      r.put("bin", new byte[] {(byte) i, 9});
      r.put("vec", i == 2 ? null : new float[] {i, i + 0.5f});
      r.put("list", i == 0 ? List.of() : Arrays.asList("a", null, "c"));
      rows.add(r);
    }
    Map<String, Object> missing = new HashMap<>();
    missing.put("d", 9.0f);
    rows.add(missing);
    try (Table t = db.createTable("rows", rows)) {
      Schema s = t.schema();
      assertThat(s.findField("i").getType()).isEqualTo(new ArrowType.Int(64, true));
      assertThat(s.findField("d").getType().getTypeID())
          .isEqualTo(ArrowType.ArrowTypeID.FloatingPoint);
      assertThat(s.findField("vec").getType()).isEqualTo(new ArrowType.FixedSizeList(2));
      assertThat(s.findField("list").getChildren().get(0).getType())
          .isEqualTo(ArrowType.Utf8.INSTANCE);
      try (VectorSchemaRoot got = t.takeOffsets(new long[] {0, 1, 2, 3}, null)) {
        assertThat(got.getVector("i").getObject(0)).isEqualTo(7L);
        assertThat(got.getVector("i").isNull(1)).isTrue();
        assertThat(got.getVector("i").getObject(2)).isEqualTo(1L << 40);
        assertThat(got.getVector("d").getObject(3)).isEqualTo(9.0);
        assertThat(got.getVector("b").getObject(1)).isEqualTo(false);
        assertThat(got.getVector("s").getObject(2).toString()).isEqualTo("s2");
        assertThat((byte[]) got.getVector("bin").getObject(1)).containsExactly(1, 9);
        assertThat(got.getVector("vec").getObject(1)).isEqualTo(List.of(1.0f, 1.5f));
        assertThat(got.getVector("vec").isNull(2)).isTrue();
        assertThat(got.getVector("list").getObject(0)).isEqualTo(List.of());
        assertThat(got.getVector("list").getObject(1).toString()).isEqualTo("[\"a\",null,\"c\"]");
        assertThat(got.getVector("s").isNull(3)).isTrue();
      }
      t.add(
          List.of(
              Map.of(
                  "i",
                  5L,
                  "d",
                  0.0,
                  "b",
                  true,
                  "s",
                  "x",
                  "bin",
                  new byte[0],
                  "vec",
                  new float[] {1, 2},
                  "list",
                  List.of("z"))));
      assertThat(t.countRows()).isEqualTo(5);
    }
    assertThatThrownBy(() -> db.createTable("bad", List.of(Map.of("a", 1L), Map.of("a", "x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a'");
    List<Map<String, Object>> allNull = new ArrayList<>();
    Map<String, Object> n = new HashMap<>();
    n.put("a", null);
    allNull.add(n);
    assertThatThrownBy(() -> db.createTable("bad", allNull)).hasMessageContaining("only null");
    assertThat(db.tableNames()).containsExactly("rows");
  }

  @Test
  void invalidTableNamesAreRejected() {
    for (String bad :
        new String[] {"", "a/b", "a\\b", "..", "a..b", ".hidden", "x".repeat(256), "sp ace"}) {
      assertThatThrownBy(() -> db.openTable(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid table name");
      try (VectorSchemaRoot r = TestData.rows(allocator, 0, 1)) {
        assertThatThrownBy(() -> db.createTable(bad, r))
            .as(bad)
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
    assertThat(db.tableNames()).isEmpty();
  }

  @Test
  void missingTables() {
    assertThatThrownBy(() -> db.openTable("nope"))
        .isInstanceOf(TableNotFoundException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining(db.uri());
    assertThatThrownBy(() -> db.dropTable("nope"))
        .isInstanceOf(TableNotFoundException.class)
        .hasMessageContaining("'nope'");
  }

  @Test
  void dropTable() {
    try (VectorSchemaRoot r = TestData.rows(allocator, 0, 2)) {
      db.createTable("a", r).close();
      db.createTable("b", r).close();
    }
    db.dropTable("a");
    assertThat(db.tableNames()).containsExactly("b");
    assertThatThrownBy(() -> db.openTable("a")).isInstanceOf(TableNotFoundException.class);
  }

  @Test
  void unsupportedSchemes() {
    for (String uri : new String[] {"gs://b/x", "hdfs://h/p", "az://c/p"}) {
      String scheme = uri.substring(0, uri.indexOf(':'));
      assertThatThrownBy(() -> LanceDb.connect(uri))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("'" + scheme + "'");
    }
  }

  @Test
  void callsAfterCloseThrow() {
    Table t = TestData.table(db, "t", allocator, 2);
    t.close();
    t.close();
    assertThatThrownBy(t::countRows)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'t'");
    assertThatThrownBy(t::query).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> t.takeOffsets(new long[] {0}, null))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(t::schema).isInstanceOf(IllegalStateException.class);
    Table open = db.openTable("t");
    db.close();
    assertThatThrownBy(open::version).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(db::tableNames)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(dir.getFileName().toString());
    assertThatThrownBy(() -> db.openTable("t")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void borrowedAllocatorAndSessionPolicy() {
    int childrenBefore = allocator.getChildAllocators().size();
    try (org.lance.Session session = org.lance.Session.builder().build()) {
      Connection c =
          LanceDb.connect(
              dir.resolve("s").toString(),
              ConnectOptions.builder().allocator(allocator).session(session).build());
      assertThat(allocator.getChildAllocators()).hasSize(childrenBefore + 1);
      assertThat(c.allocator().getParentAllocator()).isSameAs(allocator);
      try (VectorSchemaRoot r = TestData.rows(allocator, 0, 3);
          Table t = c.createTable("t", r)) {
        assertThat(t.dataset().session().isSameAs(session)).isTrue();
        t.add(List.of(Map.of("id", 3L, "val", 1.5, "name", "r3")));
        assertThat(t.dataset().session().isSameAs(session)).isTrue();
        try (Table again = c.openTable("t")) {
          assertThat(again.dataset().session().isSameAs(session)).isTrue();
        }
      }
      c.close();
      assertThat(allocator.getChildAllocators()).hasSize(childrenBefore); // the child is closed
      assertThat(session.isClosed()).isFalse(); // borrowed: left open
    }
  }

  @Test
  void connectionOwnsItsRootAllocatorWithoutOne() {
    try (Connection c = LanceDb.connect(dir.resolve("own").toString());
        VectorSchemaRoot r = TestData.rows(c.allocator(), 0, 3);
        Table t = c.createTable("t", r)) {
      assertThat(c.allocator()).isNotSameAs(allocator);
      assertThat(t.countRows()).isEqualTo(3);
    }
  }
}
