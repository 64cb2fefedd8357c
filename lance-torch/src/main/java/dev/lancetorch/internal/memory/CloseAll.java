package dev.lancetorch.internal.memory;

import java.util.function.Consumer;

/** Releasing several things so that one failure does not leave the others held. */
public final class CloseAll {
  private CloseAll() {}

  /**
   * Runs {@code close} on every item, even when one throws; then throws the first failure, with the
   * later ones suppressed in it.
   */
  public static <T> void each(Iterable<T> items, Consumer<? super T> close) {
    RuntimeException failure = null;
    for (T item : items) {
      try {
        close.accept(item);
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
