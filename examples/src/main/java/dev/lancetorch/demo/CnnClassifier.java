package dev.lancetorch.demo;

import static org.bytedeco.pytorch.global.torch.flatten;
import static org.bytedeco.pytorch.global.torch.log_softmax;
import static org.bytedeco.pytorch.global.torch.max_pool2d;
import static org.bytedeco.pytorch.global.torch.relu;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A small CNN for (1, 28, 28) images: conv 5×5 (16) → pool → conv 5×5 (32) → pool → 512 → 128 → 10,
 * log-probabilities out.
 */
final class CnnClassifier extends Module {
  private static final long[] POOL = {2, 2};
  private static final long[] NONE = {0, 0};
  private static final long[] ONE = {1, 1};
  private final Conv2dImpl conv1;
  private final Conv2dImpl conv2;
  private final LinearImpl fc1;
  private final LinearImpl fc2;

  CnnClassifier() {
    try (LongPointer k = new LongPointer(5L, 5L)) {
      conv1 = register_module("conv1", new Conv2dImpl(1, 16, k));
      conv2 = register_module("conv2", new Conv2dImpl(16, 32, k));
    }
    fc1 = register_module("fc1", new LinearImpl(32 * 4 * 4, 128));
    fc2 = register_module("fc2", new LinearImpl(128, 10));
  }

  /** {@code x}: (R, 1, 28, 28) float in [0, 1]. */
  Tensor forward(Tensor x) {
    Tensor h = max_pool2d(relu(conv1.forward(x)), POOL, POOL, NONE, ONE, false);
    h = max_pool2d(relu(conv2.forward(h)), POOL, POOL, NONE, ONE, false);
    h = relu(fc1.forward(flatten(h, 1, -1)));
    return log_softmax(fc2.forward(h), 1);
  }
}
