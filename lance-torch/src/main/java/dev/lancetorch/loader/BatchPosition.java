package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.TaskPosition;

/**
 * Where a batch sits in a run: its epoch; its index in the epoch's batch order (for a {@link
 * StreamingDataset}: the position of its first row in that row's split); the smallest and largest
 * row offset it asks for; and its split (of its first row; {@code -1} for a {@link DataLoader}).
 */
public record BatchPosition(int epoch, long batchIndex, long minOffset, long maxOffset, int split) {
  /** The same position as the loader engine records it (null for null). */
  static BatchPosition of(TaskPosition p) {
    return p == null
        ? null
        : new BatchPosition(p.epoch(), p.batchIndex(), p.minOffset(), p.maxOffset(), p.split());
  }

  /** The engine's text of the same position (one wording for both). */
  @Override
  public String toString() {
    return new TaskPosition(epoch, batchIndex, minOffset, maxOffset, split).toString();
  }
}
