package dev.lancetorch.internal.memory;

import org.apache.arrow.memory.BufferAllocator;

/**
 * Where the Arrow buffers of batches read in a tensor format through Arrow Java (takes,
 * memory-cache gathers, fragment-range scans) are allocated: {@link LibraryMemory#TENSOR_BATCHES}.
 * The buffers are exported zero-copy to the native bridge and live as long as a tensor over them
 * does — which may be after the table and its connection are closed ({@code new
 * Tensor(dict.get("v"))} is allowed). Accounting them there keeps closing the connection clean; a
 * tensor that is never freed still shows up there (and in {@code BridgeStats}) as a real leak.
 */
public final class TensorMemory {
  /** Owned by the library ({@link LibraryMemory}); closed at JVM exit. */
  public static final BufferAllocator ALLOCATOR = LibraryMemory.TENSOR_BATCHES;

  private TensorMemory() {}

  /**
   * Bytes held now by tensor-format batches read through Arrow Java (for tests and diagnostics).
   */
  public static long allocatedBytes() {
    return ALLOCATOR.getAllocatedMemory();
  }
}
