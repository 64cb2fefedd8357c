package dev.lancetorch.permutation;

import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * A batch as a list of rows, each a map column name → tensor view ({@link Format#TORCH}, LanceDB's
 * "torch"): 0-D for scalar columns, 1-D (D) for FixedSizeList cells. All views share the batch's
 * column tensors (no copy).
 *
 * <p><b>Ownership:</b> owns every view; {@link #close()} frees them. Closing twice is safe; reading
 * after close throws {@link IllegalStateException}.
 */
public final class TensorRowMaps extends AbstractList<Map<String, Tensor>>
    implements AutoCloseable {
  private List<Map<String, Tensor>> rows;

  /** Takes ownership of every tensor in {@code rows}. */
  TensorRowMaps(List<Map<String, Tensor>> rows) {
    this.rows = List.copyOf(rows);
  }

  private List<Map<String, Tensor>> open() {
    if (rows == null) {
      throw new IllegalStateException("TensorRowMaps is closed");
    }
    return rows;
  }

  /** Row {@code i}, <em>borrowed</em> (valid until close). */
  @Override
  public Map<String, Tensor> get(int i) {
    return open().get(i);
  }

  @Override
  public int size() {
    return open().size();
  }

  @Override
  public void close() {
    if (rows != null) {
      rows.forEach(m -> m.values().forEach(Tensor::close));
      rows = null;
    }
  }
}
