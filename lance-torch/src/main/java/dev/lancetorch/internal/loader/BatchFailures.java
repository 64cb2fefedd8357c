package dev.lancetorch.internal.loader;

/** The failure ({@link LoaderFailures}) for a task that failed, naming its batch. */
final class BatchFailures {
  private BatchFailures() {}

  /**
   * {@code error} as the failure of {@code task}: a {@link TransformFailure} says the transform
   * failed and has the transform's exception as cause; anything else is a failed load.
   */
  static RuntimeException of(LoaderFailures failures, LoaderTask task, Throwable error) {
    if (error instanceof TransformFailure f) {
      return failures.failed(f.getMessage() + " for this batch", task.position(), f.getCause());
    }
    return failures.failed("loading a batch failed", task.position(), error);
  }
}
