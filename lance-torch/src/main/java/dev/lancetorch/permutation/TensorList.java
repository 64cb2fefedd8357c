package dev.lancetorch.permutation;

import java.util.AbstractList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A batch as one tensor per row ({@link Format#TORCH_ROW}); each is a view of one (R, C) tensor.
 *
 * <p><b>Ownership:</b> the list <em>owns</em> its tensors and closes them on {@link #close()}.
 * Closing twice is safe; reading after close throws {@link IllegalStateException}.
 */
public final class TensorList extends AbstractList<Tensor> implements AutoCloseable {
  private List<Tensor> tensors;

  /** Takes ownership of the tensors. */
  TensorList(List<Tensor> tensors) {
    this.tensors = List.copyOf(tensors);
  }

  private List<Tensor> open() {
    if (tensors == null) {
      throw new IllegalStateException("TensorList is closed");
    }
    return tensors;
  }

  /** Row {@code i}'s tensor, <em>borrowed</em> (valid until close). */
  @Override
  public Tensor get(int i) {
    return open().get(i);
  }

  @Override
  public int size() {
    return open().size();
  }

  @Override
  public void close() {
    if (tensors != null) {
      tensors.forEach(Tensor::close);
      tensors = null;
    }
  }
}
