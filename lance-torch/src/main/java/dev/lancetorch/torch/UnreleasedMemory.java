package dev.lancetorch.torch;

import dev.lancetorch.internal.jni.NativeBridge;

/**
 * Back-pressure for batches that were dropped without {@code close()}: their tensors are freed by a
 * Cleaner, which only runs after a garbage collection — and tiny Java objects holding large native
 * batches give the collector no reason to run (JavaCPP's own trigger is off with the recommended
 * {@code maxPhysicalBytes=0}). So after each import, when the Arrow memory held by unreleased
 * batches ({@link BridgeStats#bytesLive()}) exceeds the bound, this runs a collection and waits
 * briefly for the cleaners. Memory still held after that is really in use: the bound then rises to
 * twice that (no collection per batch while a consumer legitimately keeps many batches) and falls
 * back when it is released.
 *
 * <p>The bound is {@value #DEFAULT_LIMIT} bytes, or {@code -Dlancetorch.maxUnreleasedBytes=N};
 * {@code 0} turns it off.
 */
final class UnreleasedMemory {
  static final long DEFAULT_LIMIT = 512L << 20;
  private static final long WAIT_NANOS = 200_000_000L;
  private static final Object LOCK = new Object();
  private static volatile long limit = Long.getLong("lancetorch.maxUnreleasedBytes", DEFAULT_LIMIT);
  private static volatile long threshold = limit;
  private static long collections;

  private UnreleasedMemory() {}

  /** Called after every batch import; cheap (one counter read) below the bound. */
  static void afterImport() {
    long bound = threshold;
    if (limit <= 0) {
      return;
    }
    long live = NativeBridge.stats()[6];
    if (live <= bound) {
      if (live < bound / 4 && bound > limit) {
        threshold = Math.max(limit, 2 * live);
      }
      return;
    }
    synchronized (LOCK) {
      live = NativeBridge.stats()[6];
      if (live <= threshold) {
        return;
      }
      collections++;
      System.gc();
      long deadline = System.nanoTime() + WAIT_NANOS;
      while ((live = NativeBridge.stats()[6]) > limit && System.nanoTime() < deadline) {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      threshold = Math.max(limit, 2 * live);
    }
  }

  /** Sets the bound (tests); {@code 0} turns it off. */
  static void limit(long bytes) {
    limit = bytes;
    threshold = bytes;
  }

  /** Collections triggered so far (tests). */
  static long collections() {
    synchronized (LOCK) {
      return collections;
    }
  }
}
