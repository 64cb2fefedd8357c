package dev.lancetorch.internal.arrow;

import dev.lancetorch.torch.TorchSchema;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The batch schema of a permutation exported to the bridge once and reused for every batch of that
 * schema (exporting it per batch costs tens of µs). Schemas are exported from a private allocator,
 * so a superseded export is released by {@link TorchSchema}'s cleaner without touching the user's
 * allocators. Thread-safe.
 */
public final class SchemaExports {
  private static final BufferAllocator ALLOCATOR = new RootAllocator();
  private volatile TorchSchema last;

  public TorchSchema of(Schema schema) {
    TorchSchema t = last;
    if (t == null || !(t.arrowSchema() == schema || t.arrowSchema().equals(schema))) {
      t = TorchSchema.export(schema, ALLOCATOR);
      last = t;
    }
    return t;
  }
}
