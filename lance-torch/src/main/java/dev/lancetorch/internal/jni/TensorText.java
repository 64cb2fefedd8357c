package dev.lancetorch.internal.jni;

import org.bytedeco.pytorch.Tensor;

/** How error messages name a tensor. */
public final class TensorText {
  private TensorText() {}

  /**
   * @return e.g. "a Long tensor of shape [4, 2]" (the tensor is borrowed, only read)
   */
  public static String describe(Tensor t) {
    StringBuilder b =
        new StringBuilder("a ").append(t.scalar_type().intern()).append(" tensor of shape [");
    for (int d = 0; d < t.dim(); d++) {
      b.append(d == 0 ? "" : ", ").append(t.size(d));
    }
    return b.append(']').toString();
  }
}
