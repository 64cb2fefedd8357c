package dev.lancetorch.internal.jni;

import dev.lancetorch.torch.TorchBatch;
import java.util.List;

/**
 * How internal native code ({@link TorchGather}, {@link TorchSchema}) reaches a {@link
 * TorchBatch}'s native handle without a public method on {@code TorchBatch} that hands out raw
 * handles: {@code TorchBatch} installs its {@link Access} once, from its static initializer (the
 * JDK's "shared secrets" pattern).
 *
 * <p>Handles: {@link #borrow} returns the batch's handle <b>borrowed</b> (valid until the batch is
 * closed; the caller keeps the batch open for the native call); {@link #adopt} <b>takes
 * ownership</b> of a batch handle (released here if wrapping fails).
 */
public final class BatchAccess {
  /** Implemented by {@code TorchBatch}; not for other use. */
  public interface Access {
    /**
     * @throws IllegalStateException if the batch is closed
     */
    long borrow(TorchBatch batch);

    TorchBatch adopt(long handle, List<String> columnNames);
  }

  private static volatile Access access;

  private BatchAccess() {}

  /**
   * Called once, by {@code TorchBatch}'s static initializer.
   *
   * @throws IllegalStateException on a second call
   */
  public static synchronized void install(Access a) {
    if (access != null) {
      throw new IllegalStateException("BatchAccess is already installed");
    }
    access = a;
  }

  /**
   * The batch's native handle, borrowed.
   *
   * @throws IllegalStateException if the batch is closed
   * @throws NullPointerException if {@code batch} is null
   */
  static long borrow(TorchBatch batch) {
    if (batch == null) {
      throw new NullPointerException("source batch is null");
    }
    return access().borrow(batch);
  }

  /**
   * Wraps an owned batch handle; {@code columnNames} (immutable) when known, else null. Ownership
   * moves to the returned batch, also if this throws (then the handle is released).
   */
  static TorchBatch adopt(long handle, List<String> columnNames) {
    Access a;
    try {
      a = access();
    } catch (RuntimeException | Error e) {
      NativeBridge.releaseBatch(handle);
      throw e;
    }
    return a.adopt(handle, columnNames);
  }

  private static Access access() {
    Access a = access;
    if (a == null) {
      try {
        Class.forName(TorchBatch.class.getName(), true, TorchBatch.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = access;
    }
    return a;
  }
}
