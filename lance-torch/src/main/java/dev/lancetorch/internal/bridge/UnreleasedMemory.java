package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.internal.memory.ScanMemory;

/**
 * Back-pressure for batches and scans that were dropped without {@code close()}: their tensors and
 * streams are freed by a Cleaner, which only runs after a garbage collection — and tiny Java
 * objects holding large native batches or Lance read-ahead give the collector no reason to run
 * (JavaCPP's own trigger is off with the recommended {@code maxPhysicalBytes=0}). So after each
 * import and before each scan opens, when the memory held by unreleased batches and open scans
 * ({@code BridgeStats.bytesLive()}) exceeds the bound, this runs a collection and waits briefly for
 * the cleaners (while they make progress). Memory still held after that is really in use: the bound
 * then rises to twice that (no collection per batch while a consumer legitimately keeps many
 * batches) and falls back when it is released.
 *
 * <p>The bound is {@value #DEFAULT_LIMIT} bytes, or {@code -Dlancetorch.maxUnreleasedBytes=N};
 * {@code 0} turns it off.
 */
public final class UnreleasedMemory {
  public static final long DEFAULT_LIMIT = 512L << 20;
  private static final long WAIT_NANOS = 200_000_000L;
  private static final long STALL_NANOS = 20_000_000L;
  private static final Object LOCK = new Object();
  private static volatile long limit = Long.getLong("lancetorch.maxUnreleasedBytes", DEFAULT_LIMIT);
  private static volatile long threshold = limit;
  private static long collections;

  private UnreleasedMemory() {}

  /** Called after every batch import; cheap (two counter reads) below the bound. */
  public static void afterImport() {
    check();
  }

  /** Memory held by unreleased batches and open scans (as {@code BridgeStats.bytesLive()}). */
  public static long live() {
    return NativeBridge.stats()[6] + ScanMemory.liveBytes();
  }

  /** Collects when over the bound; cheap (two counter reads) below it. */
  public static void check() {
    long bound = threshold;
    if (limit <= 0) {
      return;
    }
    long live = live();
    if (live <= bound) {
      if (live < bound / 4 && bound > limit) {
        threshold = Math.max(limit, 2 * live);
      }
      return;
    }
    synchronized (LOCK) {
      live = live();
      if (live <= threshold) {
        return;
      }
      collections++;
      System.gc();
      long now = System.nanoTime();
      long deadline = now + WAIT_NANOS;
      long progressed = now; // the cleaners still release something: keep waiting
      long last = live;
      while ((live = live()) > limit && (now = System.nanoTime()) < deadline) {
        if (live < last) {
          last = live;
          progressed = now;
        } else if (now - progressed > STALL_NANOS) {
          break; // nothing more to clean: the rest is in use
        }
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
  public static void limit(long bytes) {
    limit = bytes;
    threshold = bytes;
  }

  /** Collections triggered so far (tests). */
  public static long collections() {
    synchronized (LOCK) {
      return collections;
    }
  }
}
