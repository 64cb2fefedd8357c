package dev.lancetorch.internal.memory;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.LoggerFactory;

/**
 * lance-torch's own Arrow memory: one {@link RootAllocator} for the JVM, owned by the library, with
 * one child per use — the only Arrow allocators the library makes besides a {@code Connection}'s
 * own root (made, owned and closed by the connection when the user passes none).
 *
 * <ul>
 *   <li>{@link #TENSOR_BATCHES}: the Arrow buffers under tensor-format batches read through Arrow
 *       Java (takes, memory-cache gathers, fragment-range scans); they live as long as a tensor
 *       over them, possibly past the connection ({@link TensorMemory});
 *   <li>{@link #COLUMN_CACHES}: permutation memory caches of variable-width columns (freed with the
 *       last permutation handle using them);
 *   <li>{@link #SCHEMA_EXPORTS}: the C Data Interface structs of schemas exported to the bridge
 *       once per permutation (released by the exported schema's close or cleaner).
 * </ul>
 *
 * <p>None is the user's: closing a connection never sees them, and a tensor kept past its
 * connection keeps only this memory. Accounting: {@link #allocatedBytes()} (and each child's {@code
 * getAllocatedMemory()}) is what is held now; tests check it returns to its value before a read
 * once every batch and tensor is freed. Closed at JVM exit (a shutdown hook): the children and the
 * root close when nothing is held; memory still held then (tensors never freed) is logged at DEBUG
 * on {@code dev.lancetorch} and left to the process's exit.
 */
public final class LibraryMemory {
  private static final RootAllocator ROOT = new RootAllocator();

  /** Buffers of tensor-format batches read through Arrow Java. */
  public static final BufferAllocator TENSOR_BATCHES = child("lance-torch tensor batches");

  /** Memory caches of variable-width columns. */
  public static final BufferAllocator COLUMN_CACHES = child("lance-torch column caches");

  /** Schemas exported to the bridge. */
  public static final BufferAllocator SCHEMA_EXPORTS = child("lance-torch schema exports");

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  String left = closeIfUnused(ROOT);
                  if (left != null) {
                    LoggerFactory.getLogger("dev.lancetorch").debug(left);
                  }
                },
                "lance-torch-memory"));
  }

  private LibraryMemory() {}

  private static BufferAllocator child(String name) {
    return ROOT.newChildAllocator(name, 0, Long.MAX_VALUE);
  }

  /** Bytes held now in all of lance-torch's own Arrow memory. */
  public static long allocatedBytes() {
    return ROOT.getAllocatedMemory();
  }

  /**
   * Closes {@code root}'s children and then {@code root} when none holds memory.
   *
   * @return null when closed, else what is still held (nothing is closed then)
   */
  static String closeIfUnused(BufferAllocator root) {
    if (root.getAllocatedMemory() != 0) {
      StringBuilder b =
          new StringBuilder("lance-torch memory still held at exit (tensors never freed):");
      for (BufferAllocator c : root.getChildAllocators()) {
        b.append(' ').append(c.getName()).append(' ').append(c.getAllocatedMemory()).append(" B;");
      }
      return b.toString();
    }
    for (BufferAllocator c : root.getChildAllocators()) {
      c.close();
    }
    root.close();
    return null;
  }
}
