package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code s3://} against an in-process S3Proxy on 127.0.0.1. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class S3DbTest extends S3Fixture {
  private ConnectOptions options() {
    return ConnectOptions.builder()
        .storageOptions(s3.storageOptions())
        .allocator(allocator)
        .build();
  }

  @Test
  void createAppendListOpenDrop() throws Exception {
    try (Connection db = LanceDb.connect("s3://bucket/prefix/db", options());
        VectorSchemaRoot first = TestData.rows(allocator, 0, 100);
        VectorSchemaRoot more = TestData.rows(allocator, 100, 20)) {
      assertThat(db.tableNames()).isEmpty();
      try (Table t = db.createTable("items", first)) {
        t.add(more);
        assertThat(t.uri()).startsWith("s3://bucket/prefix/db/items.lance");
      }
      db.createTable("other", first).close();
      assertThat(db.tableNames()).containsExactly("items", "other");
      try (Table t = db.openTable("items")) {
        assertThat(t.countRows()).isEqualTo(120);
        assertThat(TestData.ids(t.query().toArrowReader())).isEqualTo(TestData.range(0, 120));
      }
      db.dropTable("other");
      assertThat(db.tableNames()).containsExactly("items");
      assertThatThrownBy(() -> db.openTable("other"))
          .isInstanceOf(TableNotFoundException.class)
          .hasMessageContaining("s3://bucket/prefix/db");
    }
  }
}
