package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.internal.jni.NativeLoader;
import dev.lancetorch.internal.memory.NativeHandle;
import java.lang.ref.Reference;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An Arrow schema exported to the native bridge once, for importing many record batches of that
 * schema with {@link #importBatch}: exporting the schema with every batch costs tens of µs; with
 * this, each batch exports only its arrays.
 *
 * <p><b>Ownership:</b> owns one native reference to the imported schema, given back by {@link
 * #close()} (idempotent) or, if never closed, when this object becomes unreachable (the library's
 * Cleaner). Batches imported with it hold their own reference, so closing it early is safe.
 * Thread-safe.
 *
 * <p>Internal (it was {@code dev.lancetorch.torch.TorchSchema}, used only by the permutation's
 * batch formatting): the public path is {@link NativeBatch#fromRoot(VectorSchemaRoot,
 * BufferAllocator)}.
 */
public final class TorchSchema implements AutoCloseable {
  private final Schema schema;
  private final List<String> columnNames;
  private final NativeHandle handle;

  private TorchSchema(Schema schema, long handle) {
    this.schema = schema;
    this.columnNames = schema.getFields().stream().map(Field::getName).toList();
    this.handle = NativeHandle.cleaned(this, "TorchSchema", handle, NativeBridge::releaseSchema);
  }

  /**
   * Exports {@code schema} through the Arrow C Data Interface into the bridge. {@code allocator} is
   * borrowed for the export's bookkeeping.
   */
  public static TorchSchema export(Schema schema, BufferAllocator allocator) {
    NativeLoader.load();
    try (ArrowSchema c = ArrowSchema.allocateNew(allocator)) {
      Data.exportSchema(allocator, schema, null, c);
      long h =
          NativeBridge.importSchema(
              c.memoryAddress()); // moves the struct's contents, also on failure
      try {
        return new TorchSchema(schema, h);
      } catch (RuntimeException | Error e) {
        NativeBridge.releaseSchema(h);
        throw e;
      }
    }
  }

  /** The Arrow schema this was exported from. */
  public Schema arrowSchema() {
    return schema;
  }

  /**
   * As {@link NativeBatch#fromRoot(VectorSchemaRoot, BufferAllocator)}, with this schema: only the
   * root's arrays are exported. The root is <em>borrowed</em> (it may be reused or closed after
   * this returns); the batch, <em>owned by the caller</em>, takes its own schema reference.
   *
   * @throws IllegalArgumentException if the root's schema is not this one
   * @throws IllegalStateException if this is closed
   */
  public NativeBatch importBatch(VectorSchemaRoot root, BufferAllocator allocator) {
    if (root.getSchema() != schema && !root.getSchema().equals(schema)) {
      throw new IllegalArgumentException(
          "batch schema " + root.getSchema() + " differs from the exported schema " + schema);
    }
    try (ArrowArray array = ArrowArray.allocateNew(allocator)) {
      long s = handle.get();
      Data.exportVectorSchemaRoot(allocator, root, null, array, null);
      return NativeBatch.adopt(
          NativeBridge.importBatchWithSchema(array.memoryAddress(), s), columnNames);
    } finally {
      Reference.reachabilityFence(this); // the Cleaner must not release the schema mid-call
    }
  }

  @Override
  public void close() {
    handle.close(); // releases the native reference at most once
  }
}
