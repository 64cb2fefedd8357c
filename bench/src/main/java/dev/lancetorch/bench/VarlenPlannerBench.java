package dev.lancetorch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.BatchIterator;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.torch.NativeLibrary;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A variable-length column through the read planner against one take per batch and LanceDB's
 * reader: the {@code name} (utf8, 10 % nulls) column of the peer's 1M-row {@code numbers} table,
 * read in the order of its {@code bench_shuffle} permutation table (the first {@code --rows} rows),
 * batch 1024 and 16384. Variants: the planner (default read-ahead) as {@code TORCH_DICT} (values +
 * offsets tensors, null rows as empty strings) and as {@code ARROW}, and {@code withReadAhead(0)}
 * (one take per batch) as {@code TORCH_DICT}. Readings are interleaved (one of each variant per
 * round, one warm-up round) and each line is the median of {@code --reps} rounds, in M rows/s;
 * LanceDB's figures come from {@code bench.mjs}'s JSON of the same permutation, if given.
 *
 * <p>Run (after {@code make build}; the peer's README sets up {@code target/lancedb-peer}): {@code
 * node write_numbers.mjs ../lancedb-ref --rows 1000000 --fragments 4 --force}, then {@code
 * COLSETS='{"name":["name"]}' node bench.mjs ../lancedb-ref --runs 3 --modes shuffle --limit 65536
 * --json ../peer-name.json} (bench.mjs with its column sets taken from {@code COLSETS}), then
 * {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/classes:$(cat
 * bench/target/classpath.txt) dev.lancetorch.bench.VarlenPlannerBench --db bench/target/lancedb-ref
 * --peer-json bench/target/peer-name.json}.
 */
public final class VarlenPlannerBench {
  private static final int[] BATCHES = {1024, 16384};

  private VarlenPlannerBench() {}

  public static void main(String[] args) throws IOException {
    String db = null;
    String perms = null;
    String peerJson = null;
    String column = "name";
    long rows = 65_536;
    int reps = 3;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--db" -> db = args[i + 1];
        case "--perms" -> perms = args[i + 1];
        case "--peer-json" -> peerJson = args[i + 1];
        case "--column" -> column = args[i + 1];
        case "--rows" -> rows = Long.parseLong(args[i + 1]);
        case "--reps" -> reps = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    if (db == null) {
      throw new IllegalArgumentException("--db DIR (the peer's reference database) is required");
    }
    if (perms == null) {
      perms = db.replaceAll("/+$", "") + "_bench_perms";
    }
    Map<Integer, Double> peer = peerJson == null ? Map.of() : peer(peerJson, column);
    NativeLibrary.load();
    try (Connection base = LanceDb.connect(db);
        Connection permDb = LanceDb.connect(perms);
        Table numbers = base.openTable("numbers");
        Table order = permDb.openTable("bench_shuffle")) {
      Permutation<ArrowBatch> all =
          Permutation.fromTables(numbers, order, 0).selectColumns(column).withTake(rows);
      String col = column;
      Map<String, Function<Integer, Long>> variants = new LinkedHashMap<>();
      variants.put(
          "planner, TORCH_DICT",
          bs -> drain(all.withNullFill(col, 0).withFormat(Format.TORCH_DICT).iter(bs, false)));
      variants.put("planner, ARROW", bs -> drain(all.iter(bs, false)));
      variants.put(
          "withReadAhead(0), TORCH_DICT",
          bs ->
              drain(
                  all.withNullFill(col, 0)
                      .withReadAhead(0)
                      .withFormat(Format.TORCH_DICT)
                      .iter(bs, false)));
      for (int bs : BATCHES) {
        Map<String, List<Long>> times = new LinkedHashMap<>();
        for (int round = -1; round < reps; round++) { // round -1: warm-up
          for (Map.Entry<String, Function<Integer, Long>> v : variants.entrySet()) {
            long t = v.getValue().apply(bs);
            if (round >= 0) {
              times.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(t);
            }
          }
        }
        Double theirs = peer.get(bs);
        double take = 0;
        for (Map.Entry<String, List<Long>> e : times.entrySet()) {
          double mrows = rows / (median(e.getValue()) / 1e9) / 1e6;
          if (e.getKey().startsWith("withReadAhead(0)")) {
            take = mrows;
          }
          System.out.printf(
              "shuffle, %s, batch %d: lance-torch %s %.3f M rows/s%s%n",
              column,
              bs,
              e.getKey(),
              mrows,
              theirs == null ? "" : String.format("; LanceDB %.3f: %.2f×", theirs, mrows / theirs));
        }
        double planned = rows / (median(times.get("planner, TORCH_DICT")) / 1e9) / 1e6;
        System.out.printf(
            "shuffle, %s, batch %d: planner / withReadAhead(0) = %.2f× (%s)%n",
            column, bs, planned / take, Measure.rss());
      }
    }
  }

  /** Nanoseconds to read every batch of the iterator (closing each). */
  private static <T extends AutoCloseable> long drain(BatchIterator<T> it) {
    long t0 = System.nanoTime();
    try (it) {
      while (it.hasNext()) {
        it.next().close();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return System.nanoTime() - t0;
  }

  private static long median(List<Long> t) {
    List<Long> s = new ArrayList<>(t);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  /** LanceDB's shuffle figures for {@code column} by batch size, in M rows/s. */
  private static Map<Integer, Double> peer(String json, String column) throws IOException {
    Map<Integer, Double> out = new LinkedHashMap<>();
    for (JsonNode r : new ObjectMapper().readTree(new File(json)).get("summary")) {
      if (r.get("mode").asText().equals("shuffle") && r.get("columns").asText().equals(column)) {
        out.put(r.get("batch").asInt(), r.get("rows_per_s").asDouble() / 1e6);
      }
    }
    return out;
  }
}
