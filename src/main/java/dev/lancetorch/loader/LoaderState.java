package dev.lancetorch.loader;

import java.io.Serializable;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a {@link DataLoader} is in its run, small enough to store with a checkpoint.
 *
 * <p>Batches of an epoch are numbered 0.. in the epoch's batch order (the order a single-worker,
 * in-order loader yields them). Every batch below {@code contiguousYielded} has been yielded, plus the
 * ones listed in {@code yieldedBeyond} (only non-empty after out-of-order loading; at most
 * workers × prefetch entries). Resuming from this state yields every other batch of {@code epoch}, in
 * batch order, then continues with the next epochs, exactly as an uninterrupted run would.
 *
 * @param epoch the epoch in progress (or about to start)
 * @param seed the loader seed the order was derived from
 * @param contiguousYielded number of leading batches all yielded
 * @param yieldedBeyond sorted indices above {@code contiguousYielded} also yielded
 * @param numBatches batches in this rank's epoch, to check the resumed loader is configured alike
 * @param rank the rank the state belongs to
 * @param worldSize the world size it was taken with
 */
public record LoaderState(int epoch, long seed, long contiguousYielded, long[] yieldedBeyond, long numBatches,
    int rank, int worldSize) implements Serializable {

  public LoaderState {
    yieldedBeyond = yieldedBeyond.clone();
  }

  /** Batches yielded in this epoch. */
  public long batchesYielded() {
    return contiguousYielded + yieldedBeyond.length;
  }

  @Override
  public long[] yieldedBeyond() {
    return yieldedBeyond.clone();
  }

  /** Compact JSON, e.g. {@code {"epoch":1,"seed":7,"contiguousYielded":12,"yieldedBeyond":[14],...}}. */
  public String toJson() {
    StringBuilder b = new StringBuilder();
    b.append("{\"epoch\":").append(epoch).append(",\"seed\":").append(seed)
        .append(",\"contiguousYielded\":").append(contiguousYielded).append(",\"yieldedBeyond\":[");
    for (int i = 0; i < yieldedBeyond.length; i++) {
      b.append(i == 0 ? "" : ",").append(yieldedBeyond[i]);
    }
    return b.append("],\"numBatches\":").append(numBatches).append(",\"rank\":").append(rank)
        .append(",\"worldSize\":").append(worldSize).append('}').toString();
  }

  /** Parses {@link #toJson()}'s output. */
  public static LoaderState fromJson(String json) {
    String beyond = field(json, "yieldedBeyond", "\\[([^\\]]*)\\]");
    long[] ys = beyond.isBlank() ? new long[0]
        : Arrays.stream(beyond.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
    return new LoaderState(Integer.parseInt(num(json, "epoch")), Long.parseLong(num(json, "seed")),
        Long.parseLong(num(json, "contiguousYielded")), ys, Long.parseLong(num(json, "numBatches")),
        Integer.parseInt(num(json, "rank")), Integer.parseInt(num(json, "worldSize")));
  }

  private static String num(String json, String name) {
    return field(json, name, "(-?\\d+)");
  }

  private static String field(String json, String name, String valuePattern) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*" + valuePattern).matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no \"" + name + "\" in loader state " + json);
    }
    return m.group(1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoaderState s && s.epoch == epoch && s.seed == seed
        && s.contiguousYielded == contiguousYielded && Arrays.equals(s.yieldedBeyond, yieldedBeyond)
        && s.numBatches == numBatches && s.rank == rank && s.worldSize == worldSize;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seed) * 31 + epoch * 17 + Long.hashCode(contiguousYielded) + Arrays.hashCode(yieldedBeyond);
  }

  @Override
  public String toString() {
    return toJson();
  }
}
