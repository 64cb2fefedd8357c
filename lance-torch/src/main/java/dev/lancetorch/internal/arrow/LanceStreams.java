package dev.lancetorch.internal.arrow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import org.lance.ipc.LanceScanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access to {@code LanceScanner.openStream(long)} (private in lance-core 7.0.0), which writes a
 * scan into a caller-allocated Arrow C stream without importing it into Java. Resolved once by
 * reflection; when that fails (another lance-core, a module boundary) {@link #available()} is false
 * and callers fall back to Arrow Java's exporter. Each path is logged once.
 */
public final class LanceStreams {
  private static final Logger LOG = LoggerFactory.getLogger("dev.lancetorch.stream");
  private static final Method OPEN_STREAM;
  private static final String UNAVAILABLE;
  private static final AtomicBoolean LOGGED_NATIVE = new AtomicBoolean();
  private static final AtomicBoolean LOGGED_EXPORT = new AtomicBoolean();

  static {
    Method m = null;
    String why = null;
    try {
      m = LanceScanner.class.getDeclaredMethod("openStream", long.class);
      m.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      m = null;
      why = e.toString();
    }
    OPEN_STREAM = m;
    UNAVAILABLE = why;
  }

  private LanceStreams() {}

  public static boolean available() {
    return OPEN_STREAM != null;
  }

  /**
   * Fills the {@code struct ArrowArrayStream} at {@code streamAddress} with the scanner's batches.
   */
  public static void open(LanceScanner scanner, long streamAddress) {
    try {
      OPEN_STREAM.invoke(scanner, streamAddress);
    } catch (InvocationTargetException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      if (c instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw new IllegalStateException("LanceScanner.openStream failed", c);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("LanceScanner.openStream is not accessible", e);
    }
    if (LOGGED_NATIVE.compareAndSet(false, true)) {
      LOG.info("Arrow C streams come straight from Lance (LanceScanner.openStream)");
    }
  }

  /** Logs (once) that the Java exporter is used, and why. */
  public static void noteJavaExport(boolean requested) {
    if (LOGGED_EXPORT.compareAndSet(false, true)) {
      if (requested) {
        LOG.info(
            "Arrow C streams are exported by Arrow Java (Data.exportArrayStream), as requested");
      } else {
        LOG.warn(
            "LanceScanner.openStream is unavailable ("
                + UNAVAILABLE
                + "); Arrow C streams fall back to Arrow Java's Data.exportArrayStream (slower per"
                + " batch)");
      }
    }
  }
}
