package dev.lancetorch.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/** The library's one Arrow root: its children, its accounting, its close at exit. */
class LibraryMemoryTest {
  @Test
  void everyLibraryAllocatorIsAChildOfOneRootThatAccountsForThem() {
    BufferAllocator root = LibraryMemory.TENSOR_BATCHES.getRoot();
    assertThat(LibraryMemory.COLUMN_CACHES.getRoot()).isSameAs(root);
    assertThat(LibraryMemory.SCHEMA_EXPORTS.getRoot()).isSameAs(root);
    assertThat(TensorMemory.ALLOCATOR).isSameAs(LibraryMemory.TENSOR_BATCHES);
    assertThat(root.getChildAllocators())
        .contains(
            LibraryMemory.TENSOR_BATCHES,
            LibraryMemory.COLUMN_CACHES,
            LibraryMemory.SCHEMA_EXPORTS);
    long before = LibraryMemory.allocatedBytes();
    try (ArrowBuf a = LibraryMemory.TENSOR_BATCHES.buffer(4096);
        ArrowBuf b = LibraryMemory.COLUMN_CACHES.buffer(1024)) {
      assertThat(LibraryMemory.allocatedBytes() - before)
          .isEqualTo(a.capacity() + b.capacity())
          .isGreaterThanOrEqualTo(5120);
      assertThat(TensorMemory.allocatedBytes()).isGreaterThanOrEqualTo(a.capacity());
    }
    assertThat(LibraryMemory.allocatedBytes()).isEqualTo(before);
  }

  @Test
  void closedAtExitOnlyWhenNothingIsHeld() {
    RootAllocator root = new RootAllocator();
    BufferAllocator child = root.newChildAllocator("tensors", 0, Long.MAX_VALUE);
    ArrowBuf kept = child.buffer(64);
    String left = LibraryMemory.closeIfUnused(root);
    assertThat(left).contains("tensors").contains(kept.capacity() + " B");
    assertThat(root.getChildAllocators()).containsExactly(child); // nothing closed
    kept.close();
    assertThat(LibraryMemory.closeIfUnused(root)).isNull();
    assertThat(root.getChildAllocators()).isEmpty();
  }
}
