package dev.lancetorch.loader;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A terminal progress bar (me.tongfei.progressbar) per epoch, showing rows/s, the data-wait
 * percentiles and the caller's extra text.
 */
final class ProgressBarListener implements ProgressListener {
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
  public void onBatch(long batchesDone, long rowsYielded, double rowsPerSecond, String extra) {
    onBatch(batchesDone, rowsYielded, rowsPerSecond, extra, WaitLatency.NONE);
  }

  /** Shows rows/s, the data-wait percentiles (once a batch was waited for) and the extra text. */
  @Override
  public synchronized void onBatch(
      long batchesDone,
      long rowsYielded,
      double rowsPerSecond,
      String extra,
      WaitLatency dataWait) {
    if (bar != null) {
      bar.stepTo(batchesDone);
      bar.setExtraMessage(message(rowsPerSecond, extra, dataWait));
    }
  }

  /** E.g. {@code " 41000 rows/s, wait p50/p95/p99 0.01/0.40/2.10 ms loss 0.3"}. */
  static String message(double rowsPerSecond, String extra, WaitLatency dataWait) {
    String wait =
        dataWait.count() == 0
            ? ""
            : String.format(
                Locale.ROOT,
                ", wait p50/p95/p99 %.2f/%.2f/%.2f ms",
                dataWait.p50Nanos() / 1e6,
                dataWait.p95Nanos() / 1e6,
                dataWait.p99Nanos() / 1e6);
    return String.format(
        Locale.ROOT, " %.0f rows/s%s%s", rowsPerSecond, wait, extra.isEmpty() ? "" : " " + extra);
  }

  @Override
  public synchronized void onEpochEnd() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
