package dev.lancetorch.internal.loader;

import dev.lancetorch.loader.DataLoaderException;

/** The {@link DataLoaderException} for a task that failed, naming its batch. */
final class BatchFailures {
  private BatchFailures() {}

  /**
   * {@code error} as the failure of {@code task}: a {@link TransformFailure} says the transform
   * failed and has the transform's exception as cause; anything else is a failed load.
   */
  static DataLoaderException of(LoaderTask task, Throwable error) {
    if (error instanceof TransformFailure f) {
      return new DataLoaderException(
          f.getMessage() + " for this batch", task.position(), f.getCause());
    }
    return new DataLoaderException("loading a batch failed", task.position(), error);
  }
}
