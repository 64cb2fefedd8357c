package dev.lancetorch.permutation;

import dev.lancetorch.Table;
import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.permutation.BaseTable;
import java.util.List;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/** A {@link Table} (borrowed) as the permutation builders' {@link BaseTable}. */
record TableBase(Table table) implements BaseTable {
  @Override
  public String name() {
    return table.name();
  }

  @Override
  public long version() {
    return table.version();
  }

  @Override
  public Schema schema() {
    return table.schema();
  }

  @Override
  public long countRows(String filter) {
    return filter == null ? table.countRows() : table.countRows(filter);
  }

  @Override
  public List<FragmentSize> fragments() {
    return table.fragments().stream()
        .map(f -> new FragmentSize(f.id(), f.numRows(), f.physicalRows(), f.files()))
        .toList();
  }

  @Override
  public ArrowReader sql(String query) {
    return table.sql(query);
  }

  @Override
  public ArrowReader scanWithAddresses(List<String> columns, String filter, int batchSize) {
    return table
        .query()
        .select(columns)
        .withRowAddress(true)
        .where(filter)
        .batchSize(batchSize)
        .toArrowReader();
  }
}
