package dev.lancetorch.loader;

import org.slf4j.LoggerFactory;

/** What a {@link StreamingDataset} does when its transform throws. */
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
  /** Log a warning per failing batch and drop its failing rows, as {@link #SKIP}. */
  WARN {
    @Override
    public Object onError(RuntimeException error, BatchPosition position) {
      LoggerFactory.getLogger("dev.lancetorch.loader")
          .warn("transform failed, skipping its failing rows, batch at " + position, error);
      return null;
    }
  }
}
