package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.internal.cache.DiskColumnCache;
import dev.lancetorch.internal.memory.LibraryMemory;
import dev.lancetorch.internal.memory.TensorMemory;
import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.torch.BridgeStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table of the subclass's and a disk-cache directory, per test; after each test every disk cache
 * is closed, every native batch released and the allocators (the table's, tensors', the column
 * caches') back where they were.
 */
abstract class CachedTableFixture {
  @TempDir Path dir;
  Path cacheDir;
  RootAllocator allocator;
  Connection db;
  Table table;
  long tensorBytesBefore;
  long libraryBytesBefore;

  /** The test's table in {@code db}. */
  abstract Table createTable(Connection db);

  @BeforeEach
  void openTable() {
    tensorBytesBefore = TensorMemory.allocatedBytes();
    libraryBytesBefore = LibraryMemory.COLUMN_CACHES.getAllocatedMemory();
    cacheDir = dir.resolve("cache");
    allocator = new RootAllocator();
    db =
        LanceDb.connect(
            dir.resolve("db").toString(), ConnectOptions.builder().allocator(allocator).build());
    table = createTable(db);
  }

  @AfterEach
  void everythingReleased() {
    table.close();
    db.close();
    assertThat(DiskColumnCache.live()).as("disk caches left open").isZero();
    allocator.close(); // throws if any Arrow buffer leaked
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
    assertThat(TensorMemory.allocatedBytes()).isEqualTo(tensorBytesBefore);
    assertThat(LibraryMemory.COLUMN_CACHES.getAllocatedMemory())
        .as("mapped cache buffers, fill scans and packing buffers released")
        .isEqualTo(libraryBytesBefore);
  }

  Permutation<ArrowBatch> permutation(Table t, long[] addrs, List<String> cols, int batchSize) {
    return Permutation.create(t, x -> RowSelection.addresses(addrs))
        .selectColumns(cols.toArray(new String[0]))
        .withBatchSize(batchSize);
  }

  /**
   * The rows of {@code base} read without a cache (the reference), after filling the cache {@code
   * opts} names with a handle closed since.
   */
  static List<List<String>> refAfterFill(Permutation<ArrowBatch> base, CacheOptions opts) {
    List<List<String>> ref = DiskCacheTest.rows(base.withReadAhead(0), false);
    try (Permutation<ArrowBatch> p = base.withCache(opts).reopen()) {
      p.fillCache();
    }
    return ref;
  }

  List<Path> cacheFiles() throws IOException {
    if (!Files.isDirectory(cacheDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(cacheDir)) {
      return s.filter(p -> p.toString().endsWith(".ltc")).sorted().toList();
    }
  }
}
