package dev.lancetorch.internal.arrow;

import dev.lancetorch.Table;
import java.io.IOException;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * SQL over a table through Lance's DataFusion SQL ({@code Dataset.sql}); the table is called {@code
 * t}.
 */
public final class SqlReads {
  private SqlReads() {}

  /**
   * Runs {@code sql} (a query over table {@code t}, with {@code _rowaddr} available) on the table's
   * current snapshot, leased until the caller closes the reader.
   */
  public static ArrowReader query(Table table, String sql) throws IOException {
    return table.sql(sql);
  }
}
