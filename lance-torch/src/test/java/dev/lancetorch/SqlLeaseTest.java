package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.lance.Dataset;

/**
 * Issue 12 item 18: SQL reads (calculated splits) lease the snapshot like every other read, so an
 * append or refresh that moves the table to a new version cannot close the dataset under an open
 * SQL reader; and the raw dataset is no longer public.
 */
class SqlLeaseTest extends LocalDbFixture {
  @Test
  void aSqlReaderKeepsItsSnapshotOpenAcrossAnAppend() throws Exception {
    Table t = TestData.table(db, "t", allocator, 100);
    Dataset before = t.dataset();
    List<Long> ids = new ArrayList<>();
    try (ArrowReader sql = t.sql("SELECT id, _rowaddr FROM t WHERE id >= 90 ORDER BY id")) {
      try (VectorSchemaRoot more = TestData.rows(allocator, 100, 50)) {
        t.add(more); // the table moves to the next version and drops its own reference to the old
        // snapshot
      }
      assertThat(t.dataset()).isNotSameAs(before);
      assertThat(before.countRows())
          .as("the old snapshot is still leased by the SQL reader")
          .isEqualTo(100);
      while (sql.loadNextBatch()) {
        BaseIntVector id = (BaseIntVector) sql.getVectorSchemaRoot().getVector("id");
        for (int i = 0; i < sql.getVectorSchemaRoot().getRowCount(); i++) {
          ids.add(id.getValueAsLong(i));
        }
      }
    }
    assertThat(ids).isEqualTo(TestData.range(90, 10)); // the version the reader started on
    assertThatThrownBy(before::countRows)
        .as("released with the reader")
        .isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> t.sql("SELECT nope FROM t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SELECT nope FROM t");
    t.close();
  }

  @Test
  void theRawDatasetIsNotPublic() throws Exception {
    assertThat(Modifier.isPublic(Table.class.getDeclaredMethod("dataset").getModifiers()))
        .isFalse();
  }
}
