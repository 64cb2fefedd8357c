package dev.lancetorch.internal.loader;

import dev.lancetorch.loader.BatchPosition;

/** One batch to load: its offsets and its position. */
public record LoaderTask(long[] offsets, BatchPosition position) {
  public static LoaderTask of(long[] offsets, int epoch, long batchIndex, int split) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long o : offsets) {
      min = Math.min(min, o);
      max = Math.max(max, o);
    }
    return new LoaderTask(offsets, new BatchPosition(epoch, batchIndex, min, max, split));
  }
}
