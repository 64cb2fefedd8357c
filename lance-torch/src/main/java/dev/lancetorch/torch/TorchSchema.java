package dev.lancetorch.torch;

import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.internal.memory.NativeHandle;
import java.util.List;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An Arrow schema exported to the native bridge once, for converting many record batches of that
 * schema with {@link TorchBatch#fromRoot(org.apache.arrow.vector.VectorSchemaRoot, BufferAllocator,
 * TorchSchema)}: exporting the schema with every batch costs tens of µs; with this, each batch
 * exports only its arrays.
 *
 * <p><b>Ownership:</b> owns one native reference to the imported schema, given back by {@link
 * #close()} (idempotent) or, if never closed, when this object becomes unreachable. Batches
 * imported with it hold their own reference, so closing it early is safe. Thread-safe.
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
    NativeLibrary.load();
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

  List<String> columnNames() {
    return columnNames;
  }

  /** The native handle; valid until {@link #close()}. */
  long handle() {
    return handle.get();
  }

  @Override
  public void close() {
    handle.close(); // releases the native reference at most once
  }
}
