package dev.lancetorch.internal.loader;

/**
 * Where a task's batch sits in a run, as the engine records it: the components (and the text) of
 * the public {@code dev.lancetorch.loader.BatchPosition}, which the loaders make from it when they
 * hand a position to user code.
 */
public record TaskPosition(int epoch, long batchIndex, long minOffset, long maxOffset, int split) {
  @Override
  public String toString() {
    return "epoch "
        + epoch
        + ", batch "
        + batchIndex
        + (split >= 0 ? " (row position in split " + split + ")" : "")
        + ", offsets "
        + minOffset
        + ".."
        + maxOffset;
  }
}
