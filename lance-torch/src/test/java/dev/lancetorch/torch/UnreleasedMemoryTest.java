package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.internal.bridge.UnreleasedMemory;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 13: batches whose tensors are dropped without close are freed only by their
 * Cleaner, after a GC that nothing triggers on its own. The bridge bounds the memory they hold:
 * above the bound an import runs a collection.
 */
class UnreleasedMemoryTest {
  static final long LIMIT = 8L << 20;

  @AfterEach
  void restore() {
    UnreleasedMemory.limit(UnreleasedMemory.DEFAULT_LIMIT);
  }

  static void sleep() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void droppedTensorsAreBoundedWithoutAnExplicitGc() {
    UnreleasedMemory.limit(LIMIT);
    long start = BridgeStats.snapshot().bytesLive();
    long collectionsBefore = UnreleasedMemory.collections();
    long peak = 0;
    RootAllocator a = new RootAllocator();
    try {
      for (int i = 0; i < 2000; i++) { // 2000 x 128 KiB = 250 MiB if nothing were freed
        try (VectorSchemaRoot root = Fixtures.root(Columns.floats(a, "x", 32768, 1f));
            TorchBatch b = TorchBatch.fromRoot(root, a)) {
          Tensor dropped = b.column("x"); // never closed: only its Cleaner frees it
          assertThat(dropped.numel()).isEqualTo(32768);
        }
        peak = Math.max(peak, BridgeStats.snapshot().bytesLive() - start);
      }
    } finally {
      for (int i = 0; i < 200 && BridgeStats.snapshot().bytesLive() > start; i++) {
        System.gc(); // the last dropped tensors, below the bound
        sleep();
      }
      a.close();
    }
    assertThat(UnreleasedMemory.collections())
        .as("collections triggered")
        .isGreaterThan(collectionsBefore);
    assertThat(peak).as("peak bytes held by dropped batches").isLessThan(4 * LIMIT);
  }

  @Test
  void batchesReallyHeldRaiseTheBoundInsteadOfCollectingPerImport() {
    UnreleasedMemory.limit(LIMIT);
    java.util.List<TorchBatch> held = new java.util.ArrayList<>();
    long before = UnreleasedMemory.collections();
    try (RootAllocator a = new RootAllocator()) {
      for (int i = 0; i < 200; i++) { // 200 x 128 KiB = 25 MiB really kept, over the 8 MiB bound
        try (VectorSchemaRoot root = Fixtures.root(Columns.floats(a, "x", 32768, 1f))) {
          held.add(TorchBatch.fromRoot(root, a));
        }
      }
      long collections = UnreleasedMemory.collections() - before;
      assertThat(collections).as("a few collections, not one per import").isLessThan(20);
      held.forEach(TorchBatch::close);
    }
  }
}
