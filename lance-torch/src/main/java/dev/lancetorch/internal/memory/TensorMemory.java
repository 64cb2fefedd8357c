package dev.lancetorch.internal.memory;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * lance-torch's own allocator for the Arrow buffers of batches read in a tensor format through
 * Arrow Java (takes, memory-cache gathers, fragment-range scans). The buffers are exported
 * zero-copy to the native bridge and live as long as a tensor over them does — which may be after
 * the table and its connection are closed ({@code new Tensor(dict.get("v"))} is allowed).
 * Accounting them here keeps closing the connection clean; a tensor that is never freed still shows
 * up here (and in {@code BridgeStats}) as a real leak.
 */
public final class TensorMemory {
  /** Owned by the library for the life of the JVM; never closed. */
  public static final BufferAllocator ALLOCATOR = new RootAllocator();

  private TensorMemory() {}

  /**
   * Bytes held now by tensor-format batches read through Arrow Java (for tests and diagnostics).
   */
  public static long allocatedBytes() {
    return ALLOCATOR.getAllocatedMemory();
  }
}
