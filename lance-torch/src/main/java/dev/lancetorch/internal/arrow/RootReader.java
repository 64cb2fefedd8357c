package dev.lancetorch.internal.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * A one-batch {@link ArrowReader} over a <b>borrowed</b> {@link VectorSchemaRoot}: it hands out the
 * caller's root itself (no copy) and never closes it. Exporters over the C data interface retain
 * the buffers they export, so the caller's root stays valid and owned by the caller.
 */
public final class RootReader extends FixedSchemaReader {
  private final VectorSchemaRoot root;
  private boolean delivered;

  public RootReader(BufferAllocator allocator, VectorSchemaRoot root) {
    super(allocator, root.getSchema());
    this.root = root;
  }

  @Override
  public VectorSchemaRoot getVectorSchemaRoot() {
    return root;
  }

  @Override
  public boolean loadNextBatch() {
    if (delivered) {
      return false;
    }
    delivered = true;
    return true;
  }
}
