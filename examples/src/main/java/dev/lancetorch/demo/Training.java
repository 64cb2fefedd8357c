package dev.lancetorch.demo;

import static org.bytedeco.pytorch.global.torch.nll_loss;

import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.permutation.TensorDict;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The training and evaluation loops of both demo jobs: a classifier ({@code forward} gives
 * log-probabilities) over {@code TORCH_DICT} batches of uint8 pixels in {@code input} and int64
 * labels in {@code label}.
 */
final class Training {
  private Training() {}

  /** One epoch's figures. */
  record Epoch(double meanLoss, long rows, long nanos) {}

  /** Pixels as float in [0, 1] (freed by the caller's {@link PointerScope}). */
  static Tensor pixels(TensorDict batch, String input) {
    return batch.get(input).toType(ScalarType.Float).div(new Scalar(255.0));
  }

  /**
   * Trains one epoch of {@code loader}, stopping early after {@code maxBatches} batches or {@code
   * maxSeconds}; the progress bar's extra text shows the loss and rows/s.
   */
  static Epoch trainEpoch(
      DataLoader<TensorDict> loader,
      Module model,
      UnaryOperator<Tensor> forward,
      String input,
      Optimizer optimizer,
      long maxBatches,
      double maxSeconds) {
    model.train(true);
    long t0 = System.nanoTime();
    double lossSum = 0;
    long batches = 0;
    long rows = 0;
    for (TensorDict batch : loader) {
      if (batches == maxBatches || (System.nanoTime() - t0) / 1e9 > maxSeconds) {
        batch.close();
        break;
      }
      try (batch;
          PointerScope scope = new PointerScope()) {
        Tensor y = batch.get("label");
        optimizer.zero_grad();
        Tensor loss = nll_loss(forward.apply(pixels(batch, input)), y);
        loss.backward();
        optimizer.step();
        double l = loss.item_double();
        lossSum += l;
        batches++;
        rows += y.size(0);
        double secs = (System.nanoTime() - t0) / 1e9;
        loader.setProgressExtra(String.format("loss %.3f, %.0f rows/s", l, rows / secs));
      }
    }
    return new Epoch(lossSum / Math.max(1, batches), rows, System.nanoTime() - t0);
  }

  /** Fraction of rows of {@code loader} whose arg-max prediction is the label. */
  static double accuracy(
      DataLoader<TensorDict> loader, Module model, UnaryOperator<Tensor> forward, String input) {
    model.eval();
    long correct = 0;
    long total = 0;
    try (NoGradGuard g = new NoGradGuard()) {
      for (TensorDict batch : loader) {
        try (batch;
            PointerScope scope = new PointerScope()) {
          Tensor pred = forward.apply(pixels(batch, input)).argmax(new LongOptional(1), false);
          correct += pred.eq(batch.get("label")).sum().item_long();
          total += batch.get("label").size(0);
        }
      }
    }
    return total == 0 ? 0 : (double) correct / total;
  }
}
