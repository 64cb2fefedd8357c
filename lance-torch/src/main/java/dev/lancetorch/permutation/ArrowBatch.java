package dev.lancetorch.permutation;

import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One Arrow record batch of a {@link Permutation}, in the order the permutation defines.
 *
 * <p><b>Ownership:</b> the batch <em>owns</em> its {@link VectorSchemaRoot} (and so the Arrow
 * buffers, which are accounted to the table connection's allocator); the caller owns the batch and
 * must {@link #close()} it. Buffers of a scanned batch are the Lance scan's own memory (zero-copy
 * through the Arrow C Data Interface). Closing twice is safe; any other call after close throws
 * {@link IllegalStateException}.
 */
public final class ArrowBatch implements AutoCloseable {
  private VectorSchemaRoot root;

  /** Takes ownership of {@code root}. */
  ArrowBatch(VectorSchemaRoot root) {
    this.root = root;
  }

  /**
   * The batch's data, <em>borrowed</em>: valid until this batch is closed; do not close it
   * yourself.
   */
  public VectorSchemaRoot root() {
    if (root == null) {
      throw new IllegalStateException("ArrowBatch is closed");
    }
    return root;
  }

  /** Number of rows. */
  public int numRows() {
    return root().getRowCount();
  }

  /** The schema (column names after renames). */
  public Schema schema() {
    return root().getSchema();
  }

  /** Column names in order. */
  public List<String> columnNames() {
    return root().getSchema().getFields().stream().map(f -> f.getName()).toList();
  }

  /** A column, <em>borrowed</em> (valid until close). */
  public FieldVector column(String name) {
    FieldVector v = root().getVector(name);
    if (v == null) {
      throw new IllegalArgumentException(
          "no column '" + name + "' in batch; columns: " + columnNames());
    }
    return v;
  }

  /** True once closed. */
  public boolean isClosed() {
    return root == null;
  }

  @Override
  public void close() {
    if (root != null) {
      root.close();
      root = null;
    }
  }

  @Override
  public String toString() {
    return root == null
        ? "ArrowBatch[closed]"
        : "ArrowBatch[rows=" + root.getRowCount() + ", " + columnNames() + "]";
  }
}
