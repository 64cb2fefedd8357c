package dev.lancetorch.internal.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An {@link ArrowReader} whose schema is known when it is made and which reads no bytes from a
 * source of its own: subclasses only say how each batch is loaded. The root it allocates is
 * <b>owned</b> by the reader and released by {@link #close()}, as for any {@link ArrowReader}.
 */
public abstract class FixedSchemaReader extends ArrowReader {
  private final Schema schema;

  protected FixedSchemaReader(BufferAllocator allocator, Schema schema) {
    super(allocator);
    this.schema = schema;
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {}

  @Override
  protected Schema readSchema() {
    return schema;
  }
}
