package dev.lancetorch.loader;

/** What a {@link StreamingDataset} does when its transform throws. */
public enum OnTransformError implements TransformErrorHandler<Object> {
  /** Fail: the consumer gets a {@link DataLoaderException} with the transform's exception as cause. */
  RAISE {
    @Override
    public Object onError(RuntimeException error, BatchPosition position) {
      throw error;
    }
  },
  /** Drop the batch silently; its rows count in {@link MetricsSnapshot#rowsSkipped()}. */
  SKIP {
    @Override
    public Object onError(RuntimeException error, BatchPosition position) {
      return null;
    }
  },
  /** Log a warning and drop the batch; its rows count in {@link MetricsSnapshot#rowsSkipped()}. */
  WARN {
    @Override
    public Object onError(RuntimeException error, BatchPosition position) {
      System.getLogger("dev.lancetorch.loader").log(System.Logger.Level.WARNING,
          "transform failed, skipping batch at " + position, error);
      return null;
    }
  }
}
