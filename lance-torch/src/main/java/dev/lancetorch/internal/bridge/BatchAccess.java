package dev.lancetorch.internal.bridge;

/**
 * How code outside {@code dev.lancetorch.torch} moves between the read path's {@link NativeBatch} /
 * {@link NativeScan} and the public {@code TorchBatch} / {@code TorchScan} views over them, without
 * a public method on those views: {@code TorchBatch} installs its {@link Access} once, from its
 * static initializer (the JDK's "shared secrets" pattern). This package sits below the API and does
 * not name its types: views are passed as {@code Object}.
 */
public final class BatchAccess {
  /** Implemented by {@code TorchBatch}; not for other use. */
  public interface Access {
    /** The public view over {@code batch}; ownership of {@code batch} moves to the view. */
    Object view(NativeBatch batch);

    /** The scan under a public {@code TorchScan}, which the caller owns from now on. */
    NativeScan scanOf(Object torchScan);
  }

  private static final String VIEW_CLASS = "dev.lancetorch.torch.TorchBatch";
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
   * The public {@code TorchBatch} over {@code batch} (one small object, no copy): ownership of
   * {@code batch} is <b>transferred</b> to it (closing the view closes the batch). A caller that
   * only <b>borrows</b> {@code batch} uses the view and does not close it. The caller casts the
   * result to {@code TorchBatch}.
   */
  public static Object view(NativeBatch batch) {
    Access a;
    try {
      a = access();
    } catch (RuntimeException | Error e) {
      batch.close();
      throw e;
    }
    return a.view(batch);
  }

  /**
   * The {@link NativeScan} under a public {@code TorchScan}: the caller takes over its ownership
   * and drops the view.
   */
  public static NativeScan scanOf(Object torchScan) {
    return access().scanOf(torchScan);
  }

  private static Access access() {
    Access a = access;
    if (a == null) {
      try {
        // TorchBatch's static initializer installs the access
        Class.forName(VIEW_CLASS, true, BatchAccess.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = access;
      if (a == null) { // loaded, yet not installed (another class loader, a cycle of initializers)
        throw new IllegalStateException(VIEW_CLASS + " did not install its batch access");
      }
    }
    return a;
  }
}
