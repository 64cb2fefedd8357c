package dev.lancetorch.loader;

/** Receives progress from the consumer thread of a {@link DataLoader}. */
public interface ProgressListener {
  /** An epoch starts; {@code alreadyDone} batches of it were yielded before a resume. */
  void onEpochStart(int epoch, long totalBatches, long alreadyDone);

  /**
   * A batch was yielded.
   *
   * @param rowsPerSecond rows yielded per second since the epoch started
   * @param extra the caller's text from {@link DataLoader#setProgressExtra(String)}, or ""
   */
  void onBatch(long batchesDone, long rowsYielded, double rowsPerSecond, String extra);

  /**
   * A batch was yielded, with the data-wait percentiles so far (refreshed a few times a second).
   * The default calls {@link #onBatch(long, long, double, String)}.
   *
   * @param dataWait how long the training loop waited for its batches
   */
  default void onBatch(
      long batchesDone,
      long rowsYielded,
      double rowsPerSecond,
      String extra,
      WaitLatency dataWait) {
    onBatch(batchesDone, rowsYielded, rowsPerSecond, extra);
  }

  /** The epoch ended, or the iterator was abandoned or closed. */
  void onEpochEnd();
}
