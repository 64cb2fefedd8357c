package dev.lancetorch.internal.jni;

import java.util.List;

/**
 * How internal native code ({@code internal.bridge}'s {@code TorchGather} and {@code TorchSchema})
 * reaches a {@code TorchBatch}'s native handle without a public method on {@code TorchBatch} that
 * hands out raw handles: {@code TorchBatch} installs its {@link Access} once, from its static
 * initializer (the JDK's "shared secrets" pattern).
 *
 * <p>Handles: {@link #borrow} returns the batch's handle <b>borrowed</b> (valid until the batch is
 * closed; the caller keeps the batch open for the native call); {@link #adopt} <b>takes
 * ownership</b> of a batch handle (released here if wrapping fails).
 */
public final class BatchAccess {
  /**
   * Implemented by {@code TorchBatch}; not for other use. Batches are passed as {@code Object}:
   * this package sits below the bridge and does not name its types.
   */
  public interface Access {
    /**
     * @throws IllegalStateException if the batch is closed
     */
    long borrow(Object batch);

    Object adopt(long handle, List<String> columnNames);
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
  public static long borrow(Object batch) {
    if (batch == null) {
      throw new NullPointerException("source batch is null");
    }
    return access().borrow(batch);
  }

  /**
   * Wraps an owned batch handle; {@code columnNames} (immutable) when known, else null. Ownership
   * moves to the returned batch, also if this throws (then the handle is released). The caller has
   * initialized {@code TorchBatch} (which installs the access).
   */
  public static Object adopt(long handle, List<String> columnNames) {
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
      throw new IllegalStateException("TorchBatch has not installed its BatchAccess yet");
    }
    return a;
  }
}
