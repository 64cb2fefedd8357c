package dev.lancetorch.internal.loader;

/**
 * What a loader records about one epoch while {@link EpochIterator} runs it: called in the
 * consumer's thread (and {@link #ended()} in whichever thread stops the epoch).
 */
public interface EpochHooks {
  /**
   * A task's result reached the consumer side ({@code skipped}: its error policy dropped all of its
   * rows, so it is never yielded). Called under the iterator's lock, before {@code hasNext()}
   * returns.
   */
  default void arrived(LoaderTask task, boolean skipped) {}

  /** A task's batch was returned by {@code next()}. */
  default void yielded(LoaderTask task) {}

  /** The epoch ended (complete, failed or abandoned); called once. */
  default void ended() {}
}
