package dev.lancetorch.loader;

/**
 * What a {@link StreamingDataset} does when its transform throws, or a {@link DataLoader} when its
 * collate throws.
 */
public enum OnTransformError implements TransformErrorHandler<Object> {
  /**
   * Fail: the consumer gets a {@link DataLoaderException} with the transform's exception as cause.
   */
  RAISE {
    @Override
    public Object onError(RuntimeException error, BatchPosition position) {
      throw error;
    }
  },
  /**
   * Drop only the failing rows, silently (the transform is re-run on each row alone, as LanceDB);
   * they count in {@link MetricsSnapshot#rowsSkipped()}.
   */
  SKIP {
    @Override
    public Object onError(RuntimeException error, BatchPosition position) {
      return null;
    }
  },
  /**
   * Drop the failing rows, as {@link #SKIP}, and log one warning per failing batch on {@code
   * dev.lancetorch.loader}, naming the batch and the offsets of the rows dropped, with the batch's
   * error as cause.
   */
  WARN {
    @Override
    public Object onError(RuntimeException error, BatchPosition position) {
      return null; // the loader logs, once it knows which rows fail alone
    }
  }
}
