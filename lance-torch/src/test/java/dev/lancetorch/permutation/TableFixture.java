package dev.lancetorch.permutation;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import java.nio.file.Path;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database in a temp directory with a {@link TestTables} table of {@code fragments × perFragment}
 * rows; the allocator is closed after each test, so any leaked Arrow buffer fails it.
 */
abstract class TableFixture {
  @TempDir Path dir;
  RootAllocator allocator;
  Connection db;
  Table table;
  private final int fragments;
  private final int perFragment;

  TableFixture(int fragments, int perFragment) {
    this.fragments = fragments;
    this.perFragment = perFragment;
  }

  @BeforeEach
  void openTable() {
    allocator = new RootAllocator();
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
    table = TestTables.create(db, "base", fragments, perFragment);
  }

  @AfterEach
  void closeAll() {
    table.close();
    db.close();
    allocator.close(); // throws if any Arrow buffer leaked
  }
}
