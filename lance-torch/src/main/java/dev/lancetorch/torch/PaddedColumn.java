package dev.lancetorch.torch;

import org.bytedeco.pytorch.Tensor;

/**
 * A variable-length column padded or truncated to one length L ({@link TorchBatch#padded(String,
 * PadOptions)}): {@link #padded()} {@code (R, L)} in the item dtype, {@link #lengths()} {@code (R)}
 * int64 (items kept per row) and {@link #mask()} {@code (R, L)} bool (true on real items) — the
 * attention mask. All three are fresh tensors made in one native pass.
 *
 * <p>Ownership: the tensors are <em>owned</em> by this object and freed by {@link #close()}
 * (idempotent); accessors after close throw {@link IllegalStateException}. To keep one past close,
 * copy its handle ({@code new Tensor(t)}).
 */
public final class PaddedColumn implements AutoCloseable {
  private Tensor padded;
  private Tensor lengths;
  private Tensor mask;

  /** Takes ownership of the three tensors. */
  PaddedColumn(Tensor padded, Tensor lengths, Tensor mask) {
    this.padded = padded;
    this.lengths = lengths;
    this.mask = mask;
  }

  /** {@code (R, L)} items, padded; <em>borrowed</em>. */
  public synchronized Tensor padded() {
    live();
    return padded;
  }

  /** {@code (R)} int64 kept lengths; <em>borrowed</em>. */
  public synchronized Tensor lengths() {
    live();
    return lengths;
  }

  /** {@code (R, L)} bool attention mask; <em>borrowed</em>. */
  public synchronized Tensor mask() {
    live();
    return mask;
  }

  private void live() {
    if (padded == null) {
      throw new IllegalStateException("PaddedColumn is closed");
    }
  }

  /** Frees the three tensors (idempotent). */
  @Override
  public synchronized void close() {
    if (padded != null) {
      padded.close();
      lengths.close();
      mask.close();
      padded = null;
      lengths = null;
      mask = null;
    }
  }
}
