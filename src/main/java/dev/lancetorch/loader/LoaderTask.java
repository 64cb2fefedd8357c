package dev.lancetorch.loader;

/** One batch to load: its offsets and its position. */
record LoaderTask(long[] offsets, BatchPosition position) {
  static LoaderTask of(long[] offsets, int epoch, long batchIndex, int split) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long o : offsets) {
      min = Math.min(min, o);
      max = Math.max(max, o);
    }
    return new LoaderTask(offsets, new BatchPosition(epoch, batchIndex, min, max, split));
  }
}
