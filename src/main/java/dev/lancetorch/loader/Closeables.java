package dev.lancetorch.loader;

import java.util.concurrent.CompletableFuture;

/** Closing batches that may or may not be {@link AutoCloseable}. */
final class Closeables {
  private static final System.Logger LOG = System.getLogger("dev.lancetorch.loader");

  private Closeables() {}

  static void closeQuietly(Object o) {
    if (o instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.WARNING, "closing a batch failed", e);
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
