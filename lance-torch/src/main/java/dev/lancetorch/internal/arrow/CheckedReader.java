package dev.lancetorch.internal.arrow;

import java.io.IOException;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The reader Lance writes from: hands out the batches of a <b>transferred</b> reader (its root, no
 * copy) after {@link WriteChecks#requireConsistent} passed on each. Lance pulls the batches through
 * the Arrow C stream, which turns an exception into an error code and a message; {@link #failure()}
 * keeps the exception itself — the check's, or the one the wrapped reader threw (a source table's
 * storage fault names that table, not the one written) — so the writer can throw it as it was.
 * Closing closes the wrapped reader.
 */
public final class CheckedReader extends ArrowReader {
  private final ArrowReader inner;
  private final String table;
  private volatile Exception failure;

  /**
   * @param allocator borrowed; the reader allocates nothing from it (the batches are {@code
   *     inner}'s)
   * @param inner the data; ownership <b>transferred</b>
   * @param table the table written, for messages
   * @throws IllegalArgumentException if the schema cannot be written ({@link
   *     WriteChecks#requireWritable})
   */
  public CheckedReader(BufferAllocator allocator, ArrowReader inner, String table)
      throws IOException {
    super(allocator);
    this.inner = inner;
    this.table = table;
    WriteChecks.requireWritable(inner.getVectorSchemaRoot().getSchema(), table);
  }

  /**
   * @return what made a batch fail (the check's {@link IllegalArgumentException}, or what the
   *     wrapped reader threw), or null
   */
  public Exception failure() {
    return failure;
  }

  @Override
  public VectorSchemaRoot getVectorSchemaRoot() throws IOException {
    return inner.getVectorSchemaRoot();
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    try {
      if (!inner.loadNextBatch()) {
        return false;
      }
      WriteChecks.requireConsistent(inner.getVectorSchemaRoot(), table);
      return true;
    } catch (IOException | RuntimeException e) {
      if (failure == null) {
        failure = e;
      }
      throw e;
    }
  }

  @Override
  public Dictionary lookup(long id) {
    return inner.lookup(id);
  }

  @Override
  public Set<Long> getDictionaryIds() {
    return inner.getDictionaryIds();
  }

  @Override
  public long bytesRead() {
    return inner.bytesRead();
  }

  @Override
  protected void closeReadSource() throws IOException {
    inner.close();
  }

  @Override
  protected Schema readSchema() throws IOException {
    return inner.getVectorSchemaRoot().getSchema();
  }
}
