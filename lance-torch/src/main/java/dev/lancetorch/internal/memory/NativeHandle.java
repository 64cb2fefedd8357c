package dev.lancetorch.internal.memory;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * One owned native handle (an address from the native bridge) and its release, as every lance-torch
 * class that owns one holds it: released exactly once, by the first {@link #close()} (closing again
 * is a no-op) or — for {@link #cleaned} handles — by the library's {@link Cleaner} once the owning
 * object is unreachable; {@link #get()} after that throws {@link IllegalStateException}.
 *
 * <p>Close-site tracking: with {@code -Dlancetorch.trackCloses=true} each {@code close()} records
 * where it ran, and a later {@code get()} throws with that stack as the cause ("closed here").
 *
 * <p>Held as a field (not a superclass) so that public API types keep no internal type in their
 * signatures. Thread-safe; an owner whose methods use the handle while another thread may close it
 * serializes those methods with its {@code close()} (as {@code NativeBatch} does).
 */
public final class NativeHandle {
  private final String what;
  private final Release release;
  private final Cleaner.Cleanable cleanable;
  private volatile Throwable closedAt;

  private NativeHandle(String what, Release release, Cleaner.Cleanable cleanable) {
    this.what = what;
    this.release = release;
    this.cleanable = cleanable;
  }

  /**
   * Takes ownership of {@code handle}, released by {@code release} at {@link #close()} only.
   *
   * @param what the owner's name, for messages ("TorchBatch")
   * @param release frees a handle; must not reference the owner
   */
  public static NativeHandle owned(String what, long handle, LongConsumer release) {
    return new NativeHandle(what, new Release(handle, release), null);
  }

  /**
   * Takes ownership of {@code handle}, released at {@link #close()} or, if never closed, by the
   * library's Cleaner once {@code owner} is unreachable. {@code release} must not reference {@code
   * owner} (or it never becomes unreachable). If registering fails, the handle stays the caller's.
   */
  public static NativeHandle cleaned(Object owner, String what, long handle, LongConsumer release) {
    Release r = new Release(handle, release);
    return new NativeHandle(what, r, Cleaners.CLEANER.register(owner, r));
  }

  /**
   * The handle, borrowed: valid until {@link #close()}.
   *
   * @throws IllegalStateException once closed
   */
  public long get() {
    long h = release.handle.get();
    if (h == 0) {
      throw new IllegalStateException(what + " is closed", closedAt);
    }
    return h;
  }

  public boolean isClosed() {
    return release.handle.get() == 0;
  }

  /**
   * Releases the handle if no one did yet.
   *
   * @return true if this call released it
   */
  public boolean close() {
    if (Boolean.getBoolean("lancetorch.trackCloses") && closedAt == null && !isClosed()) {
      closedAt = new Throwable("closed here");
    }
    boolean mine = release.releaseOnce();
    if (cleanable != null) {
      cleanable.clean(); // deregisters; the release already ran (at most once)
    }
    return mine;
  }

  /** The handle and its release; never references the owner (or the Cleaner could not run). */
  private static final class Release implements Runnable {
    final AtomicLong handle;
    final LongConsumer free;

    Release(long handle, LongConsumer free) {
      this.handle = new AtomicLong(handle);
      this.free = free;
    }

    @Override
    public void run() {
      releaseOnce();
    }

    boolean releaseOnce() {
      long h = handle.getAndSet(0);
      if (h == 0) {
        return false;
      }
      free.accept(h);
      return true;
    }
  }
}
