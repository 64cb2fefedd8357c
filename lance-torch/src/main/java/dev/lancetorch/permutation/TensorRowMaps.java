package dev.lancetorch.permutation;

import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * A batch as a list of rows, each a map column name → tensor view ({@link Format#TORCH}, LanceDB's
 * "torch"): 0-D for scalar columns, 1-D (D) for FixedSizeList cells. All views share the batch's
 * column tensors (no copy). Row {@code i} is <em>borrowed</em> (valid until close).
 *
 * <p><b>Ownership:</b> owns every view; {@link #close()} frees them. Closing twice is safe; reading
 * after close throws {@link IllegalStateException}.
 */
public final class TensorRowMaps extends OwningList<Map<String, Tensor>> {
  /** Takes ownership of every tensor in {@code rows}. */
  TensorRowMaps(List<Map<String, Tensor>> rows) {
    super("TensorRowMaps", rows, row -> row.values().forEach(Tensor::close));
  }
}
