package dev.lancetorch.internal.loader;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closing batches that may or may not be {@link AutoCloseable}. */
public final class Closeables {
  private static final Logger LOG = LoggerFactory.getLogger("dev.lancetorch.loader");

  private Closeables() {}

  public static void closeQuietly(Object o) {
    if (o instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing a batch failed", e);
      }
    }
  }

  /** Closes the future's value once it is there (now, if it already is). */
  static void closeWhenDone(CompletableFuture<?> f) {
    if (f != null) {
      f.whenComplete((v, e) -> closeQuietly(v));
    }
  }
}
