package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.memory.LibraryMemory;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The batch schema of a permutation exported to the bridge once and reused for every batch of that
 * schema (exporting it per batch costs tens of µs). Schemas are exported from the library's own
 * allocator ({@link LibraryMemory#SCHEMA_EXPORTS}), so a superseded export is released by {@link
 * TorchSchema}'s cleaner without touching the user's allocators. Thread-safe.
 */
public final class SchemaExports {
  private volatile TorchSchema last;

  public TorchSchema of(Schema schema) {
    TorchSchema t = last;
    if (t == null || !(t.arrowSchema() == schema || t.arrowSchema().equals(schema))) {
      t = TorchSchema.export(schema, LibraryMemory.SCHEMA_EXPORTS);
      last = t;
    }
    return t;
  }
}
