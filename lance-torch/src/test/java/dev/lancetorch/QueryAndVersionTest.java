package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueryAndVersionTest extends LocalDbFixture {
  Table table;

  @BeforeEach
  void createTable() {
    table = TestData.table(db, "t", allocator, 100);
  }

  @AfterEach
  void closeTable() {
    db.close(); // closes table too
    table.close();
  }

  @Test
  void projectionFilterLimitOffset() throws Exception {
    assertThat(TestData.ids(table.query().where("id >= 90").toArrowReader()))
        .isEqualTo(TestData.range(90, 10));
    assertThat(TestData.ids(table.query().select("id").limit(5).offset(10).toArrowReader()))
        .isEqualTo(TestData.range(10, 5));
    try (ArrowReader r =
        table.query().select("name", "id").withRowAddress(true).batchSize(16).toArrowReader()) {
      int batches = 0;
      while (r.loadNextBatch()) {
        batches++;
        assertThat(r.getVectorSchemaRoot().getRowCount()).isLessThanOrEqualTo(16);
        assertThat(r.getVectorSchemaRoot().getSchema().getFields())
            .extracting(Field::getName)
            .containsExactly("name", "id", "_rowaddr");
      }
      assertThat(batches).isGreaterThanOrEqualTo(7);
    }
    assertThat(table.countRows("id < 10 OR name = 'r50'")).isEqualTo(11);
    assertThat(table.countRows("")).isEqualTo(100);
  }

  @Test
  void batchReadaheadReadsTheSameRowsAndRefusesNonPositiveCounts() throws Exception {
    for (int ahead : new int[] {1, 4, 32}) {
      assertThat(TestData.ids(table.query().batchReadahead(ahead).batchSize(7).toArrowReader()))
          .isEqualTo(TestData.range(0, 100));
    }
    assertThatThrownBy(() -> table.query().batchReadahead(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchReadahead must be > 0");
  }

  @Test
  void readerInAnotherAllocatorAndFragmentSelection() throws Exception {
    try (VectorSchemaRoot r = TestData.rows(allocator, 100, 10)) {
      table.add(r);
    }
    int second = table.fragments().get(1).id();
    try (BufferAllocator other = new RootAllocator()) {
      assertThat(TestData.ids(table.query().fragmentIds(List.of(second)).toArrowReader(other)))
          .isEqualTo(TestData.range(100, 10));
    }
  }

  @Test
  void badFiltersAndColumnsNameTheTable() {
    assertThatThrownBy(() -> table.countRows("id >>> 3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'t'")
        .hasMessageContaining("id >>> 3");
    assertThatThrownBy(() -> table.countRows("missing_col = 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'t'");
    assertThatThrownBy(() -> TestData.ids(table.query().where("nope > 1").toArrowReader()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope > 1")
        .hasMessageContaining("'t'");
    assertThatThrownBy(() -> table.query().where("((").toArrowReader())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'t'");
    assertThatThrownBy(() -> table.query().select("ghost").toArrowReader())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ghost'");
  }

  @Test
  void appendWithWrongSchemaIsRejected() {
    Schema other =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
    try (VectorSchemaRoot r = VectorSchemaRoot.create(other, allocator)) {
      r.allocateNew();
      r.setRowCount(0);
      assertThatThrownBy(() -> table.add(r))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'t'")
          .hasMessageContaining("does not match");
    }
    assertThat(table.version()).isEqualTo(1);
  }

  @Test
  void appendBumpsVersionAndCheckoutReadsOldData() throws Exception {
    assertThat(table.version()).isEqualTo(1);
    try (VectorSchemaRoot r = TestData.rows(allocator, 100, 20)) {
      table.add(r);
    }
    assertThat(table.version()).isEqualTo(2);
    assertThat(table.countRows()).isEqualTo(120);
    try (Table v1 = table.checkoutVersion(1)) {
      assertThat(v1.isPinned()).isTrue();
      assertThat(v1.version()).isEqualTo(1);
      assertThat(v1.countRows()).isEqualTo(100);
      assertThat(TestData.ids(v1.query().toArrowReader())).isEqualTo(TestData.range(0, 100));
      try (VectorSchemaRoot r = TestData.rows(allocator, 0, 1)) {
        assertThatThrownBy(() -> v1.add(r))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("pinned");
      }
      try (Table latest = v1.checkoutLatest()) {
        assertThat(latest.isPinned()).isFalse();
        assertThat(latest.version()).isEqualTo(2);
      }
    }
    assertThat(table.version()).isEqualTo(2); // unchanged by checkouts
    try (VectorSchemaRoot r = TestData.rows(allocator, 7, 3)) {
      table.overwrite(r);
    }
    assertThat(table.version()).isEqualTo(3);
    assertThat(TestData.ids(table.query().toArrowReader())).isEqualTo(TestData.range(7, 3));
    assertThatThrownBy(() -> table.checkoutVersion(99))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("99")
        .hasMessageContaining("'t'");
  }

  @Test
  void openReaderKeepsItsVersionAcrossAnAppend() throws Exception {
    ArrowReader r = table.query().batchSize(10).toArrowReader();
    try (VectorSchemaRoot more = TestData.rows(allocator, 100, 5)) {
      table.add(more);
    }
    assertThat(TestData.ids(r)).isEqualTo(TestData.range(0, 100));
    assertThat(table.countRows()).isEqualTo(105);
  }

  @Test
  void readerOutlivesTheTableThatOpenedIt() throws Exception {
    ArrowReader r = table.query().batchSize(7).toArrowReader();
    table.close();
    assertThatThrownBy(table::countRows).isInstanceOf(IllegalStateException.class);
    assertThat(TestData.ids(r))
        .isEqualTo(TestData.range(0, 100)); // snapshot kept alive by the reader
  }

  @Test
  void closingTheConnectionClosesItsTables() {
    Table other = db.openTable("t");
    Table pinned = other.checkoutVersion(1);
    db.close();
    assertThatThrownBy(other::countRows).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(pinned::countRows).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(table::query).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void consistencyIntervalSeesWritesFromOtherHandles() {
    try (Connection eager =
            LanceDb.connect(
                dir.toString(),
                ConnectOptions.builder()
                    .allocator(allocator)
                    .readConsistencyInterval(Duration.ZERO)
                    .build());
        Connection lazy =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
        Table e = eager.openTable("t");
        Table l = lazy.openTable("t")) {
      try (VectorSchemaRoot more = TestData.rows(allocator, 100, 5)) {
        table.add(more);
      }
      assertThat(e.countRows()).isEqualTo(105);
      assertThat(e.version()).isEqualTo(2);
      assertThat(l.countRows()).isEqualTo(100); // no interval: stays on its snapshot
      try (Table fresh = l.checkoutLatest()) {
        assertThat(fresh.countRows()).isEqualTo(105);
      }
    }
  }
}
