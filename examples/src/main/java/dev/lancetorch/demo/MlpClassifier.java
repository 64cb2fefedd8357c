package dev.lancetorch.demo;

import static org.bytedeco.pytorch.global.torch.log_softmax;
import static org.bytedeco.pytorch.global.torch.relu;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** A small MLP for 28×28 images: 784 → 256 → 128 → 10, log-probabilities out. */
final class MlpClassifier extends Module {
  private final LinearImpl fc1;
  private final LinearImpl fc2;
  private final LinearImpl fc3;

  MlpClassifier() {
    fc1 = register_module("fc1", new LinearImpl(FashionMnist.PIXELS, 256));
    fc2 = register_module("fc2", new LinearImpl(256, 128));
    fc3 = register_module("fc3", new LinearImpl(128, 10));
  }

  /** {@code x}: (R, 784) float in [0, 1]. */
  Tensor forward(Tensor x) {
    Tensor h = relu(fc1.forward(x));
    h = relu(fc2.forward(h));
    return log_softmax(fc3.forward(h), 1);
  }
}
