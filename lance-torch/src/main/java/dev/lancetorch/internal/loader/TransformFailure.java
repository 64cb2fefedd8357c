package dev.lancetorch.internal.loader;

/**
 * A batch's transform (or collate) failed and its error policy raises: carries the transform's
 * exception as cause, which the epoch reports as a {@code DataLoaderException} naming the batch.
 */
final class TransformFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TransformFailure(String message, RuntimeException cause) {
    super(message, cause);
  }
}
