package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.BatchAccess;
import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.torch.TorchBatch;
import java.util.List;

/** {@link BatchAccess} typed for {@link TorchBatch}, initializing it before the first adopt. */
final class Batches {
  private Batches() {}

  /**
   * The batch's native handle, <b>borrowed</b> (valid while the batch is open).
   *
   * @throws IllegalStateException if the batch is closed
   * @throws NullPointerException if {@code batch} is null
   */
  static long borrow(TorchBatch batch) {
    return BatchAccess.borrow(batch);
  }

  /**
   * Wraps an owned batch handle; ownership <b>moves</b> to the returned batch, also if this throws
   * (then the handle is released).
   */
  static TorchBatch adopt(long handle, List<String> columnNames) {
    try {
      // TorchBatch's static initializer installs the access
      Class.forName(TorchBatch.class.getName(), true, TorchBatch.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      NativeBridge.releaseBatch(handle);
      throw new IllegalStateException(e);
    } catch (RuntimeException | Error e) {
      NativeBridge.releaseBatch(handle);
      throw e;
    }
    return (TorchBatch) BatchAccess.adopt(handle, columnNames);
  }
}
