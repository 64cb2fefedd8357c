package dev.lancetorch.internal.loader;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-name prefixes {@code lancetorch-loader-<id>}, unique per loader or dataset in this JVM.
 */
public final class LoaderThreadNames {
  private static final AtomicInteger IDS = new AtomicInteger();

  private LoaderThreadNames() {}

  public static String newPrefix() {
    return "lancetorch-loader-" + IDS.incrementAndGet();
  }
}
