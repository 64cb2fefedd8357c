package dev.lancetorch.internal.loader;

import java.util.function.Function;

/**
 * A loader's collate or transform, its error policy, and the threads running it (0: the worker's
 * thread).
 */
public record TransformSpec<R>(
    Function<Object, R> fn,
    OnError onError,
    ErrorHandler<R> handler,
    int parallelism,
    LoaderFailures failures) {
  /**
   * What a transform's failure does: fail the batch; ask {@code handler} (null from it: drop the
   * rows failing alone); or drop them and log a warning.
   */
  public enum OnError {
    RAISE,
    HANDLE,
    WARN
  }

  /** The loader's error handler, given the failing batch's position. */
  @FunctionalInterface
  public interface ErrorHandler<R> {
    R onError(RuntimeException error, TaskPosition position);
  }
}
