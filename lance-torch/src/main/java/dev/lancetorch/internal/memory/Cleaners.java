package dev.lancetorch.internal.memory;

import java.lang.ref.Cleaner;

/**
 * The one {@link Cleaner} of lance-torch (a daemon thread): releases what unreachable handles and
 * iterators hold.
 */
public final class Cleaners {
  public static final Cleaner CLEANER =
      Cleaner.create(
          r -> {
            Thread t = new Thread(r, "lance-torch-cleaner");
            t.setDaemon(true);
            return t;
          });

  private Cleaners() {}
}
