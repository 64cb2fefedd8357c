package dev.lancetorch.internal.loader;

/** One batch to load: its offsets and its position. */
public record LoaderTask(long[] offsets, TaskPosition position) {
  public static LoaderTask of(long[] offsets, int epoch, long batchIndex, int split) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long o : offsets) {
      min = Math.min(min, o);
      max = Math.max(max, o);
    }
    return new LoaderTask(offsets, new TaskPosition(epoch, batchIndex, min, max, split));
  }
}
