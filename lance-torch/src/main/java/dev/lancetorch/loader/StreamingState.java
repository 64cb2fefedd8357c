package dev.lancetorch.loader;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  public StreamingState {
    rowsConsumed = rowsConsumed.clone();
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
    StringBuilder b =
        new StringBuilder("{\"epoch\":")
            .append(epoch)
            .append(",\"shuffleSeed\":")
            .append(shuffleSeed)
            .append(",\"numRows\":")
            .append(numRows)
            .append(",\"rowsConsumed\":[");
    for (int i = 0; i < rowsConsumed.length; i++) {
      b.append(i == 0 ? "" : ",").append(rowsConsumed[i]);
    }
    return b.append("]}").toString();
  }

  /** Parses {@link #toJson()}'s output. */
  public static StreamingState fromJson(String json) {
    Matcher m =
        Pattern.compile(
                "\"epoch\":(-?\\d+),\"shuffleSeed\":(-?\\d+),"
                    + "\"numRows\":(\\d+),\"rowsConsumed\":\\[([^\\]]*)\\]")
            .matcher(json.replaceAll("\\s", ""));
    if (!m.find()) {
      throw new IllegalArgumentException("not a streaming state: " + json);
    }
    long[] c =
        m.group(4).isEmpty()
            ? new long[0]
            : Arrays.stream(m.group(4).split(",")).mapToLong(Long::parseLong).toArray();
    return new StreamingState(
        Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), c);
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
