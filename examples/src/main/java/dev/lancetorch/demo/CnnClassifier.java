package dev.lancetorch.demo;

import static org.bytedeco.pytorch.global.torch.flatten;
import static org.bytedeco.pytorch.global.torch.log_softmax;
import static org.bytedeco.pytorch.global.torch.max_pool2d;
import static org.bytedeco.pytorch.global.torch.relu;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A small CNN for (1, 28, 28) images: conv 3×3 (32) → batch norm → ReLU → pool 2 → conv 3×3 (64) →
 * batch norm → ReLU → pool 2 → 1600 → 128 → 10, log-probabilities out. Batch norm (its running
 * statistics are used in {@code eval()} mode) is what lets it pass 88% on Fashion-MNIST in 3
 * epochs.
 */
final class CnnClassifier extends Module {
  private static final long[] POOL = {2, 2};
  private static final long[] NONE = {0, 0};
  private static final long[] ONE = {1, 1};
  private final Conv2dImpl conv1;
  private final BatchNorm2dImpl bn1;
  private final Conv2dImpl conv2;
  private final BatchNorm2dImpl bn2;
  private final LinearImpl fc1;
  private final LinearImpl fc2;

  CnnClassifier() {
    try (LongPointer k = new LongPointer(3L, 3L)) {
      conv1 = register_module("conv1", new Conv2dImpl(1, 32, k));
      conv2 = register_module("conv2", new Conv2dImpl(32, 64, k));
    }
    bn1 = register_module("bn1", new BatchNorm2dImpl(new BatchNormOptions(32)));
    bn2 = register_module("bn2", new BatchNorm2dImpl(new BatchNormOptions(64)));
    // 28 → conv 26 → pool 13 → conv 11 → pool 5
    fc1 = register_module("fc1", new LinearImpl(64 * 5 * 5, 128));
    fc2 = register_module("fc2", new LinearImpl(128, 10));
  }

  /** {@code x}: (R, 1, 28, 28) float. */
  Tensor forward(Tensor x) {
    Tensor h = max_pool2d(relu(bn1.forward(conv1.forward(x))), POOL, POOL, NONE, ONE, false);
    h = max_pool2d(relu(bn2.forward(conv2.forward(h))), POOL, POOL, NONE, ONE, false);
    h = relu(fc1.forward(flatten(h, 1, -1)));
    return log_softmax(fc2.forward(h), 1);
  }
}
