package dev.lancetorch.internal.loader;

import dev.lancetorch.loader.DataLoaderException;

/** One epoch's results, in delivery order, pulled by the consumer thread. */
public interface TaskStream<R> extends AutoCloseable {
  /**
   * The next finished task, or null when every task has been delivered. Throws {@link
   * DataLoaderException}.
   */
  Delivered<R> next();

  /**
   * Stops loading and closes every result not yet delivered. Idempotent; callable from any thread.
   */
  @Override
  void close();
}
