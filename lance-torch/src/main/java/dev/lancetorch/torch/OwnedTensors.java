package dev.lancetorch.torch;

import dev.lancetorch.internal.memory.CloseAll;
import java.util.Objects;
import org.bytedeco.pytorch.Tensor;

/**
 * The base of the bridge's results that hold several tensors together ({@link JaggedColumn}, {@link
 * PaddedColumn}, {@code loader.PackedBatch}): one way to own them.
 *
 * <p>Ownership: the tensors are <b>owned</b> by this object from construction and freed exactly
 * once, all of them, by the first {@link #close()} (closing again is a no-op). The accessors of a
 * subclass return them <b>borrowed</b>: valid until {@code close()}; to keep one past it, copy its
 * handle ({@code new Tensor(t)}), which you then own. Any accessor after {@code close()} throws
 * {@link IllegalStateException} naming the holder. Thread-safe.
 */
public abstract class OwnedTensors implements AutoCloseable {
  private final String what;
  private Tensor[] tensors; // null once closed

  /**
   * Takes ownership of {@code tensors} (none null).
   *
   * @param what the holder's name, for messages ("PaddedColumn")
   */
  protected OwnedTensors(String what, Tensor... tensors) {
    this.what = what;
    for (int i = 0; i < tensors.length; i++) {
      Objects.requireNonNull(tensors[i], () -> what + ": tensor is null");
    }
    this.tensors = tensors.clone();
  }

  /**
   * Tensor {@code i} in construction order, borrowed.
   *
   * @throws IllegalStateException once closed
   */
  protected final synchronized Tensor tensor(int i) {
    if (tensors == null) {
      throw new IllegalStateException(what + " is closed");
    }
    return tensors[i];
  }

  /** Whether {@link #close()} has run. */
  public final synchronized boolean isClosed() {
    return tensors == null;
  }

  /** Frees every tensor, once (idempotent); each is freed even if freeing another throws. */
  @Override
  public final synchronized void close() {
    Tensor[] t = tensors;
    if (t == null) {
      return;
    }
    tensors = null;
    CloseAll.each(java.util.Arrays.asList(t), Tensor::close);
  }
}
