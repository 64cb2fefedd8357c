package dev.lancetorch.torch;

import org.bytedeco.pytorch.Tensor;

/**
 * A variable-length column padded or truncated to one length L ({@link TorchBatch#padded(String,
 * PadOptions)}): {@link #padded()} {@code (R, L)} in the item dtype, {@link #lengths()} {@code (R)}
 * int64 (items kept per row) and {@link #mask()} {@code (R, L)} bool (true on real items) — the
 * attention mask. All three are fresh tensors made in one native pass.
 *
 * <p>Ownership ({@link OwnedTensors}): the tensors are <em>owned</em> by this object and freed by
 * {@link #close()} (idempotent); accessors after close throw {@link IllegalStateException}. To keep
 * one past close, copy its handle ({@code new Tensor(t)}).
 */
public final class PaddedColumn extends OwnedTensors {
  /** Takes ownership of the three tensors. */
  PaddedColumn(Tensor padded, Tensor lengths, Tensor mask) {
    super("PaddedColumn", padded, lengths, mask);
  }

  /** {@code (R, L)} items, padded; <em>borrowed</em>. */
  public Tensor padded() {
    return tensor(0);
  }

  /** {@code (R)} int64 kept lengths; <em>borrowed</em>. */
  public Tensor lengths() {
    return tensor(1);
  }

  /** {@code (R, L)} bool attention mask; <em>borrowed</em>. */
  public Tensor mask() {
    return tensor(2);
  }
}
