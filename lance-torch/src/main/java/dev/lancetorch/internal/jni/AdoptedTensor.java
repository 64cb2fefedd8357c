package dev.lancetorch.internal.jni;

import dev.lancetorch.internal.memory.Cleaners;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * A {@link Tensor} that owns one {@code AtenTensorHandle} from the native bridge directly (the
 * handle <em>is</em> the {@code at::Tensor*}). The handle is deleted exactly once: by {@link
 * #close()} / {@link #deallocate()}, by the last {@link #releaseReference()} (so an enclosing
 * {@link PointerScope} frees it like any JavaCPP pointer), or by a {@link Cleaner} once the object
 * is unreachable.
 *
 * <p>Why not JavaCPP's own deallocator: registering one costs several microseconds per tensor
 * (JavaCPP samples the process's physical memory on every registration), which was most of the
 * bridge's per-batch cost; a {@link Cleaner} registration costs well under one.
 */
public final class AdoptedTensor extends Tensor {
  private final Cleaner.Cleanable cleanable;
  private final AtomicInteger references = new AtomicInteger();

  /** Takes ownership of {@code tensorHandle}: it is deleted exactly once, also if this throws. */
  public AdoptedTensor(long tensorHandle) {
    super((Pointer) null);
    address = tensorHandle;
    Cleaner.Cleanable c;
    try {
      c = Cleaners.CLEANER.register(this, new DeleteHandle(tensorHandle));
    } catch (RuntimeException | Error e) {
      address = 0;
      NativeBridge.deleteTensorHandle(tensorHandle);
      throw e;
    }
    cleanable = c;
    PointerScope scope = PointerScope.getInnerScope();
    if (scope != null) {
      try {
        scope.attach(this);
      } catch (IllegalArgumentException notForTensors) {
        // a scope limited to other classes: not attached, freed by close() or the Cleaner
      } catch (RuntimeException | Error e) {
        deallocate();
        throw e;
      }
    }
  }

  @Override
  public void deallocate() {
    address = 0;
    cleanable.clean(); // runs DeleteHandle at most once, whoever calls first (also the Cleaner)
  }

  @Override
  public void deallocate(boolean deallocate) {
    if (deallocate) {
      deallocate();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <P extends Pointer> P retainReference() {
    references.incrementAndGet();
    return (P) this;
  }

  /**
   * As JavaCPP: drops one reference and frees the tensor when none is left (also from {@link
   * #close()}).
   */
  @Override
  public boolean releaseReference() {
    if (references.decrementAndGet() <= 0) {
      deallocate();
      return true;
    }
    return false;
  }

  @Override
  public int referenceCount() {
    return Math.max(0, references.get());
  }

  /** Holds only the handle, never the tensor object (or the Cleaner could not run). */
  private static final class DeleteHandle implements Runnable {
    private final long handle;

    DeleteHandle(long handle) {
      this.handle = handle;
    }

    @Override
    public void run() {
      NativeBridge.deleteTensorHandle(handle);
    }
  }
}
