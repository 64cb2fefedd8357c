package dev.lancetorch.loader;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Where a {@link DataLoader} is in its run, small enough to store with a checkpoint.
 *
 * <p>Batches of an epoch are numbered 0.. in the epoch's batch order (the order a single-worker,
 * in-order loader yields them). Every batch below {@code contiguousYielded} has been yielded, plus
 * the ones listed in {@code yieldedBeyond} (only non-empty after out-of-order loading; at most
 * workers × prefetch entries). Resuming from this state yields every other batch of {@code epoch},
 * in batch order, then continues with the next epochs, exactly as an uninterrupted run would.
 *
 * @param epoch the epoch in progress (or about to start)
 * @param seed the loader seed the order was derived from
 * @param contiguousYielded number of leading batches all yielded
 * @param yieldedBeyond sorted indices above {@code contiguousYielded} also yielded
 * @param numBatches batches in this rank's epoch, to check the resumed loader is configured alike
 * @param rank the rank the state belongs to
 * @param worldSize the world size it was taken with
 */
public record LoaderState(
    int epoch,
    long seed,
    long contiguousYielded,
    long[] yieldedBeyond,
    long numBatches,
    int rank,
    int worldSize)
    implements Serializable {
  static final String STATE = "loader state";
  static final String[] KEYS = {
    "epoch",
    "seed",
    "contiguousYielded",
    "yieldedBeyond",
    "numBatches",
    "rank",
    "worldSize",
    "orderVersion"
  };

  /**
   * The version of {@link Sampler#random()}'s order that this build computes, written with every
   * state ({@code "orderVersion"}) and required when one is read: 2 is the keyed shuffle computed
   * on demand. States written before it (no such field: a Fisher–Yates order) or by a build with
   * another order are refused, naming the field, rather than resumed in a different order.
   */
  static final int ORDER_VERSION = 2;

  /**
   * @throws IllegalArgumentException naming the field, when a value is impossible in itself: a
   *     negative epoch or count, {@code contiguousYielded > numBatches}, {@code yieldedBeyond} not
   *     strictly increasing or not within {@code (contiguousYielded, numBatches)}, a rank outside
   *     {@code [0, worldSize)}
   */
  public LoaderState {
    require(yieldedBeyond != null, "yieldedBeyond", null, "must be an array");
    yieldedBeyond = yieldedBeyond.clone();
    require(epoch >= 0, "epoch", epoch, "must be >= 0");
    require(numBatches >= 0, "numBatches", numBatches, "must be >= 0");
    require(
        contiguousYielded >= 0 && contiguousYielded <= numBatches,
        "contiguousYielded",
        contiguousYielded,
        "must be in [0, numBatches = " + numBatches + "]");
    long previous = contiguousYielded;
    for (long b : yieldedBeyond) {
      require(
          b > previous && b < numBatches,
          "yieldedBeyond",
          Arrays.toString(yieldedBeyond),
          "must be strictly increasing batch indices in (contiguousYielded = "
              + contiguousYielded
              + ", numBatches = "
              + numBatches
              + ")");
      previous = b;
    }
    require(worldSize >= 1, "worldSize", worldSize, "must be >= 1");
    require(
        rank >= 0 && rank < worldSize,
        "rank",
        rank,
        "must be in [0, worldSize = " + worldSize + ")");
  }

  private static void require(boolean ok, String field, Object value, String rule) {
    StateCodec.require(ok, STATE, field, value, rule);
  }

  /**
   * Checks that this state can resume a loader with this configuration and epoch plan.
   *
   * @throws IllegalArgumentException naming the first field that does not match
   */
  void requireResumable(long loaderSeed, int loaderRank, int loaderWorldSize, long plannedBatches) {
    require(seed == loaderSeed, "seed", seed, "the loader's seed is " + loaderSeed);
    require(
        worldSize == loaderWorldSize,
        "worldSize",
        worldSize,
        "the loader's world size is " + loaderWorldSize);
    require(rank == loaderRank, "rank", rank, "the loader's rank is " + loaderRank);
    require(
        numBatches == plannedBatches,
        "numBatches",
        numBatches,
        "the loader plans " + plannedBatches + " batches in epoch " + epoch);
  }

  /** Batches yielded in this epoch. */
  public long batchesYielded() {
    return contiguousYielded + yieldedBeyond.length;
  }

  @Override
  public long[] yieldedBeyond() {
    return yieldedBeyond.clone();
  }

  /**
   * Compact JSON, e.g. {@code
   * {"epoch":1,"seed":7,"contiguousYielded":12,"yieldedBeyond":[14],...}}.
   */
  public String toJson() {
    return json().toString();
  }

  ObjectNode json() {
    ObjectNode o =
        StateCodec.object()
            .put("epoch", epoch)
            .put("seed", seed)
            .put("contiguousYielded", contiguousYielded);
    o.set("yieldedBeyond", StateCodec.array(yieldedBeyond));
    return o.put("numBatches", numBatches)
        .put("rank", rank)
        .put("worldSize", worldSize)
        .put("orderVersion", ORDER_VERSION);
  }

  /**
   * Parses {@link #toJson()}'s output.
   *
   * @throws IllegalArgumentException naming the field that is missing, unknown, not an integer of
   *     the right range, or impossible (see the constructor); also for text that is not one JSON
   *     object, and for a state cut from another {@code Sampler.random()} order ({@code
   *     orderVersion}: states written by builds before 2026-12-07 have none)
   */
  public static LoaderState fromJson(String json) {
    return fromJson(StateCodec.parse(STATE, json, KEYS));
  }

  static LoaderState fromJson(StateCodec c) {
    int order = c.intField("orderVersion");
    require(
        order == ORDER_VERSION,
        "orderVersion",
        order,
        "this build's Sampler.random() order is version "
            + ORDER_VERSION
            + " (a state of another order would resume other rows; start the next epoch, or add"
            + " \"orderVersion\":"
            + ORDER_VERSION
            + " if the loader does not use Sampler.random())");
    return new LoaderState(
        c.intField("epoch"),
        c.longField("seed"),
        c.longField("contiguousYielded"),
        c.longArray("yieldedBeyond"),
        c.longField("numBatches"),
        c.intField("rank"),
        c.intField("worldSize"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoaderState s
        && s.epoch == epoch
        && s.seed == seed
        && s.contiguousYielded == contiguousYielded
        && Arrays.equals(s.yieldedBeyond, yieldedBeyond)
        && s.numBatches == numBatches
        && s.rank == rank
        && s.worldSize == worldSize;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seed) * 31
        + epoch * 17
        + Long.hashCode(contiguousYielded)
        + Arrays.hashCode(yieldedBeyond);
  }

  @Override
  public String toString() {
    return toJson();
  }
}
