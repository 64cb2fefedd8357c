package dev.lancetorch.permutation;

import dev.lancetorch.Table;
import java.io.IOException;
import org.apache.arrow.vector.ipc.ArrowReader;

/** SQL over a table through Lance's DataFusion SQL ({@code Dataset.sql}); the table is called {@code t}. */
final class SqlReads {
  private SqlReads() {}

  /** Runs {@code sql} (a query over table {@code t}, with {@code _rowaddr} available); the caller closes the reader. */
  static ArrowReader query(Table table, String sql) throws IOException {
    try {
      return table.dataset().sql(sql).tableName("t").withRowAddr(true).intoBatchRecords();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("SQL on table '" + table.name() + "' failed: " + e.getMessage()
          + " (query: " + sql + ")", e);
    }
  }
}
