package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.internal.arrow.SqlExpression;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 item 3: SQL text that is more than one expression is rejected, with the text in the
 * message.
 */
class SqlExpressionTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "id < 5; DELETE FROM base",
        "1=1; DROP TABLE base",
        "id < 5;",
        "name = 'a' ; x",
        "id < 5 -- ; DROP",
        "id < 5 /* x */",
        "id < 5) OR (1=1",
        "id < 5 ORDER BY id",
        "id < 5 LIMIT 1",
        "name IS NULL UNION SELECT 1",
        "(id < 5) GROUP BY id",
        "name = 'it''s' ; DROP",
        "name = '\\'' ; '",
        "`a;b` = 1; x",
        "(id < 5",
        "id < 5 OFFSET 1"
      })
  void rejectsAnythingButOneExpression(String sql) {
    assertThatThrownBy(() -> SqlExpression.requireSingle(sql, "filter"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(sql)
        .hasMessageContaining("filter");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "id < 5",
        "name = 'a;b'",
        "name = 'it''s; fine'",
        "`weird;col` = 1",
        "\"q;uoted\" > 2",
        "id IN (SELECT id FROM t ORDER BY id LIMIT 3)",
        "offset > 3",
        "x > 1 AND offset < 2",
        "a IS DISTINCT FROM b",
        "CASE WHEN id < 3 THEN 0 ELSE 1 END",
        "EXTRACT(YEAR FROM ts) = 2020",
        "row_number() OVER (ORDER BY id) < 3",
        "name LIKE 'a%' ESCAPE '\\'",
        "E'a\\';b' = name"
      })
  void acceptsOneExpression(String sql) {
    assertThat(SqlExpression.requireSingle(sql, "filter")).isEqualTo(sql);
  }

  @Test
  void everyTableEntryPointRejectsASecondStatement() {
    try (BufferAllocator a = new RootAllocator();
        Connection db =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(a).build());
        VectorSchemaRoot rows = TestData.rows(a, 0, 20);
        Table t = db.createTable("base", rows)) {
      assertThat(t.countRows("name = 'r1;'")).isZero();
      assertThat(t.countRows("id < 5")).isEqualTo(5);
      assertThatThrownBy(() -> t.countRows("id < 5; DELETE FROM base"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("id < 5; DELETE FROM base");
      assertThatThrownBy(() -> t.query().where("1=1; DROP TABLE base"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1=1; DROP TABLE base");
      // Table.sql takes whole queries: DataFusion itself refuses a second statement (and DML)
      assertThatThrownBy(() -> t.sql("SELECT id FROM t; DELETE FROM t").close())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("single SQL statement");
      assertThatThrownBy(() -> t.sql("DELETE FROM t WHERE id < 5").close())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("DELETE");
      assertThat(t.countRows()).isEqualTo(20);
    }
  }
}
