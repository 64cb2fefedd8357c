package dev.lancetorch.permutation;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * A batch as named column tensors ({@link Format#TORCH_DICT}): 1-D for scalar columns, (R, D) for FixedSizeList
 * columns, each a zero-copy view of the Arrow batch.
 *
 * <p><b>Ownership:</b> the dict <em>owns</em> its tensors; {@link #close()} frees them (the Arrow batch is released when
 * the last tensor that uses it is freed). A tensor you want to keep past close: copy the handle
 * ({@code new Tensor(t)}), which you then own. Closing twice is safe; reading after close throws
 * {@link IllegalStateException}.
 */
public final class TensorDict extends AbstractMap<String, Tensor> implements AutoCloseable {
  private Map<String, Tensor> tensors;

  /** Takes ownership of the tensors. */
  TensorDict(LinkedHashMap<String, Tensor> tensors) {
    this.tensors = Collections.unmodifiableMap(tensors);
  }

  private Map<String, Tensor> open() {
    if (tensors == null) {
      throw new IllegalStateException("TensorDict is closed");
    }
    return tensors;
  }

  /** The tensor of a column, <em>borrowed</em> (valid until close). */
  @Override
  public Tensor get(Object column) {
    Tensor t = open().get(column);
    if (t == null) {
      throw new IllegalArgumentException("no column '" + column + "'; columns: " + open().keySet());
    }
    return t;
  }

  @Override
  public Set<Entry<String, Tensor>> entrySet() {
    return open().entrySet();
  }

  @Override
  public void close() {
    if (tensors != null) {
      tensors.values().forEach(Tensor::close);
      tensors = null;
    }
  }
}
