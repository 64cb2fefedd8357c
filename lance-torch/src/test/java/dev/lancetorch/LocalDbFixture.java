package dev.lancetorch;

import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database in a temp directory over an allocator of the test's own, both closed after each test
 * (after the subclass's {@code @AfterEach}); closing the allocator throws on any leaked Arrow
 * buffer, which fails the test.
 */
abstract class LocalDbFixture {
  @TempDir Path dir;
  BufferAllocator allocator;
  Connection db;

  @BeforeEach
  void openDatabase() {
    allocator = new RootAllocator();
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
  }

  @AfterEach
  void closeDatabase() {
    db.close();
    allocator.close(); // throws on leaks
  }
}
