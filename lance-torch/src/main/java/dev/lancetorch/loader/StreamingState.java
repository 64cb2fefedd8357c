package dev.lancetorch.loader;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * Progress of one or more ranks of a {@link StreamingDataset} through one epoch, per split: {@code
 * rowsConsumed[s]} rows of split s's row order have been delivered (yielded or skipped), or {@code
 * -1} when the ranks this state describes do not read split s in this epoch. {@link
 * StreamingDataset#mergeStates(List)} combines the states of all ranks into one that any world size
 * can resume from.
 *
 * @param epoch the epoch in progress
 * @param shuffleSeed the seed of the epoch's layout
 * @param numRows rows of the source
 * @param rowsConsumed per split, rows delivered, or -1 when unknown to this state
 */
public record StreamingState(int epoch, long shuffleSeed, long numRows, long[] rowsConsumed)
    implements Serializable {
  static final String STATE = "streaming state";
  private static final String[] KEYS = {"epoch", "shuffleSeed", "numRows", "rowsConsumed"};

  /**
   * @throws IllegalArgumentException naming the field, when a value is impossible in itself: a
   *     negative epoch or row count, no split, or a split's {@code rowsConsumed} below -1 or above
   *     the split's length ({@code numRows / numSplits}, the surplus rows being left out of every
   *     epoch)
   */
  public StreamingState {
    require(rowsConsumed != null, "rowsConsumed", null, "must be an array");
    rowsConsumed = rowsConsumed.clone();
    require(epoch >= 0, "epoch", epoch, "must be >= 0");
    require(numRows >= 0, "numRows", numRows, "must be >= 0");
    require(
        rowsConsumed.length >= 1,
        "rowsConsumed",
        "[]",
        "must hold one entry per split (at least one split)");
    long splitLength = numRows / rowsConsumed.length;
    for (int s = 0; s < rowsConsumed.length; s++) {
      long c = rowsConsumed[s];
      require(
          c >= -1 && c <= splitLength,
          "rowsConsumed[" + s + "]",
          c,
          "must be -1 (split unknown) or rows delivered in [0, "
              + splitLength
              + "] (numRows "
              + numRows
              + " / "
              + rowsConsumed.length
              + " splits)");
    }
  }

  private static void require(boolean ok, String field, Object value, String rule) {
    StateCodec.require(ok, STATE, field, value, rule);
  }

  @Override
  public long[] rowsConsumed() {
    return rowsConsumed.clone();
  }

  public int numSplits() {
    return rowsConsumed.length;
  }

  /** True when every split is known (a merge of all ranks' states, or a single-rank run). */
  public boolean coversAllSplits() {
    return Arrays.stream(rowsConsumed).allMatch(v -> v >= 0);
  }

  /** Compact JSON: {@code {"epoch":0,"shuffleSeed":1,"numRows":100,"rowsConsumed":[10,-1,...]}}. */
  public String toJson() {
    return StateCodec.object()
        .put("epoch", epoch)
        .put("shuffleSeed", shuffleSeed)
        .put("numRows", numRows)
        .<com.fasterxml.jackson.databind.node.ObjectNode>set(
            "rowsConsumed", StateCodec.array(rowsConsumed))
        .toString();
  }

  /**
   * Parses {@link #toJson()}'s output (keys in any order).
   *
   * @throws IllegalArgumentException naming the field that is missing, unknown, not an integer of
   *     the right range, or impossible (see the constructor); also for text that is not one JSON
   *     object
   */
  public static StreamingState fromJson(String json) {
    StateCodec c = StateCodec.parse(STATE, json, KEYS);
    return new StreamingState(
        c.intField("epoch"),
        c.longField("shuffleSeed"),
        c.longField("numRows"),
        c.longArray("rowsConsumed"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StreamingState s
        && s.epoch == epoch
        && s.shuffleSeed == shuffleSeed
        && s.numRows == numRows
        && Arrays.equals(s.rowsConsumed, rowsConsumed);
  }

  @Override
  public int hashCode() {
    return epoch * 31 + Long.hashCode(shuffleSeed) + Arrays.hashCode(rowsConsumed);
  }

  @Override
  public String toString() {
    return toJson();
  }
}
