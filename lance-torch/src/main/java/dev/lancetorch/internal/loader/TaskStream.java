package dev.lancetorch.internal.loader;

/** One epoch's results, in delivery order, pulled by the consumer thread. */
public interface TaskStream<R> extends AutoCloseable {
  /**
   * The next finished task, or null when every task has been delivered. Throws the loader's failure
   * ({@link LoaderFailures}) for a batch that could not be produced.
   */
  Delivered<R> next();

  /**
   * Stops loading and closes every result not yet delivered. Idempotent; callable from any thread.
   */
  @Override
  void close();
}
