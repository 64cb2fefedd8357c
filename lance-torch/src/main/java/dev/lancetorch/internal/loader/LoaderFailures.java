package dev.lancetorch.internal.loader;

/**
 * Makes the exception the consumer gets for a batch that could not be produced (the loaders give
 * their public {@code DataLoaderException}): the engine reports every failed, interrupted or timed
 * out batch through it.
 */
@FunctionalInterface
public interface LoaderFailures {
  /**
   * @param position the batch's position, or null when unknown
   * @param cause what failed
   */
  RuntimeException failed(String message, TaskPosition position, Throwable cause);
}
