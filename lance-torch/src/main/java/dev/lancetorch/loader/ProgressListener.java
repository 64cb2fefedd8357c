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

  /** The epoch ended, or the iterator was abandoned or closed. */
  void onEpochEnd();
}
