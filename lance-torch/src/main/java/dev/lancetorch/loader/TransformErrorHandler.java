package dev.lancetorch.loader;

/**
 * Decides what replaces a batch whose transform threw. Runs on the transform thread. The failed
 * input batch was the transform's to close.
 *
 * @param <R> the transform's output type
 */
@FunctionalInterface
public interface TransformErrorHandler<R> {
  /**
   * @return a replacement batch (owned by the consumer once yielded), or null to skip the failing
   *     rows (as LanceDB: the transform is re-run row by row, only the rows that fail alone are
   *     dropped and counted as skipped, the others yielded as one batch); throw to fail the
   *     iteration with a {@link DataLoaderException}
   */
  R onError(RuntimeException error, BatchPosition position);
}
