package dev.lancetorch.permutation;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A batch as one tensor per row ({@link Format#TORCH_ROW}); each is a view of one (R, C) tensor.
 * Row {@code i}'s tensor is <em>borrowed</em> (valid until close).
 *
 * <p><b>Ownership:</b> the list <em>owns</em> its tensors and closes them on {@link #close()}.
 * Closing twice is safe; reading after close throws {@link IllegalStateException}.
 */
public final class TensorList extends OwningList<Tensor> {
  /** Takes ownership of the tensors. */
  TensorList(List<Tensor> tensors) {
    super("TensorList", tensors, Tensor::close);
  }
}
