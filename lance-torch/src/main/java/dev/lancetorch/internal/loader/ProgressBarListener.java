package dev.lancetorch.internal.loader;

import dev.lancetorch.loader.ProgressListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A terminal progress bar (me.tongfei.progressbar) per epoch, showing rows/s and the caller's extra
 * text.
 */
public final class ProgressBarListener implements ProgressListener {
  private final String task;
  private ProgressBar bar;

  public ProgressBarListener(String task) {
    this.task = task;
  }

  @Override
  public synchronized void onEpochStart(int epoch, long totalBatches, long alreadyDone) {
    onEpochEnd();
    bar =
        new ProgressBarBuilder()
            .setTaskName(task + " epoch " + epoch)
            .setInitialMax(totalBatches)
            .setStyle(ProgressBarStyle.ASCII)
            .setUnit(" batches", 1)
            .continuousUpdate()
            .build();
    bar.stepTo(alreadyDone);
  }

  @Override
  public synchronized void onBatch(
      long batchesDone, long rowsYielded, double rowsPerSecond, String extra) {
    if (bar != null) {
      bar.stepTo(batchesDone);
      bar.setExtraMessage(
          String.format(" %.0f rows/s%s", rowsPerSecond, extra.isEmpty() ? "" : " " + extra));
    }
  }

  @Override
  public synchronized void onEpochEnd() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
