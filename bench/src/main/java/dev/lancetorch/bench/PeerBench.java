package dev.lancetorch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.TensorDict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * lance-torch against LanceDB's own reader, in one run, on the same tables: LanceDB's official Node
 * package ({@code lancedb-peer}: {@code bench.mjs}, its permutation reader = a {@code row_id} scan
 * + one {@code takeRowIds} per batch + reorder, as LanceDB's Rust {@code PermutationReader}) is run
 * first as a child process on the peer's 1M-row {@code numbers} table; it writes the permutation
 * tables {@code bench_shuffle} (row shuffle) and {@code bench_clump64} (clump 64), which
 * lance-torch then reads with the same columns (cols4 = x, y, z, label; vec = 16 × f32), batch
 * sizes (1024, 16384) and row count. Every line prints both figures and their ratio (medians of
 * {@code reps} after one warm-up) and the process RSS.
 */
final class PeerBench {
  static final Map<String, List<String>> COLUMNS =
      Map.of("cols4", List.of("x", "y", "z", "label"), "vec", List.of("vec"));
  private static final int[] BATCHES = {1024, 16384};

  private final Bench.Report report;
  private final int reps;
  private final long rows;

  /** A lance-torch read variant: a name and how it changes the permutation. */
  record Variant(
      String name,
      String label,
      Function<Permutation<TensorDict>, Permutation<TensorDict>> apply) {}

  PeerBench(Bench.Report report, int reps, long rows) {
    this.report = report;
    this.reps = reps;
    this.rows = rows;
  }

  /** The read variants measured on the permutation tables. */
  static List<Variant> variants() {
    return List.of(
        new Variant("one take per batch (withReadAhead(0))", "take", p -> p.withReadAhead(0)),
        new Variant(
            "read planner (withReadAhead(64 MiB), the default)",
            "planner",
            p -> p.withReadAhead(64L << 20)),
        new Variant("withMemoryCache(1 GiB)", "cache", p -> p.withMemoryCache(1L << 30)));
  }

  /**
   * Runs LanceDB's reader ({@code node bench.mjs} in {@code peerDir}), then lance-torch's, on
   * {@code db}.
   *
   * @return false if node is unavailable (the section says so)
   */
  boolean run(Path peerDir, Path db) throws IOException, InterruptedException {
    Path json = db.resolveSibling(db.getFileName() + "-bench.json");
    Map<String, Double> peer = runPeer(peerDir, db, json);
    if (peer == null) {
      return false;
    }
    try (Connection base = LanceDb.connect(db.toString());
        Connection perms = LanceDb.connect(db + "_bench_perms");
        Table numbers = base.openTable("numbers")) {
      long n = Math.min(rows, numbers.countRows());
      for (Map.Entry<String, List<String>> cols : new java.util.TreeMap<>(COLUMNS).entrySet()) {
        for (int bs : BATCHES) {
          long t = median(() -> Measure.time(() -> scanRows(numbers, cols.getValue(), bs, n)));
          double mine = n / (t / 1e9) / 1e6;
          line(
              "scan",
              cols.getKey(),
              bs,
              new Variant("raw Lance scan (Java ArrowReader)", "scan", null),
              mine,
              peer,
              "scan",
              "");
          rawScan.put(cols.getKey() + "/" + bs, mine);
        }
      }
      for (String mode : List.of("shuffle", "clump64")) {
        try (Table permTable = perms.openTable("bench_" + mode)) {
          Permutation<TensorDict> all =
              Permutation.fromTables(numbers, permTable, 0).withFormat(Format.TORCH_DICT);
          for (Map.Entry<String, List<String>> cols : new java.util.TreeMap<>(COLUMNS).entrySet()) {
            for (int bs : BATCHES) {
              for (Variant v : variants()) {
                try (Permutation<TensorDict> q =
                    v.apply.apply(
                        all.selectColumns(cols.getValue().toArray(String[]::new)).withTake(n))) {
                  long t = median(() -> Measure.time(() -> drain(q, bs)));
                  double mine = n / (t / 1e9) / 1e6;
                  String goal =
                      !v.name.startsWith("read planner")
                          ? ""
                          : mode.equals("shuffle")
                              ? (bs == 1024 ? " (goal ≥ 20×)" : " (goal ≥ 10×)")
                              : bs == 1024 ? " (goal ≥ 20×)" : "";
                  line(mode, cols.getKey(), bs, v, mine, peer, mode, goal);
                  if (v.name.startsWith("withMemoryCache")) {
                    double raw = rawScan.get(cols.getKey() + "/" + bs);
                    report.add(
                        "vs LanceDB",
                        String.format(
                            "%s, %s, batch %d, %s vs raw Java scan of the same columns",
                            mode, cols.getKey(), bs, v.name),
                        String.format("%.3f", mine),
                        "M rows/s",
                        String.format("raw scan %.3f M rows/s", raw),
                        String.format("%.2f× (goal ≥ 0.3×)", mine / raw));
                  }
                }
              }
            }
          }
        }
      }
      varlen(peerDir, db, perms, numbers, Math.min(n, VARLEN_ROWS));
    }
    return true;
  }

  /** Rows of the variable-length lines (LanceDB's reader takes about a second per 65,536). */
  private static final long VARLEN_ROWS = 65_536;

  /**
   * A variable-length column through the read planner: the {@code name} column (utf8, 10 % nulls)
   * of {@code numbers} in {@code bench_shuffle}'s order, batch 1024 and 16384, as {@code
   * TORCH_DICT} (values + offsets; null rows empty) and {@code ARROW}, against one take per batch
   * ({@code withReadAhead(0)}) and LanceDB's reader ({@code peer_column.mjs}), all in this run.
   */
  private void varlen(Path peerDir, Path db, Connection perms, Table numbers, long n)
      throws IOException, InterruptedException {
    Map<String, Double> peer = runPeerColumn(peerDir, db, "bench_shuffle", "name", n);
    try (Table permTable = perms.openTable("bench_shuffle");
        Permutation<ArrowBatch> arrow =
            Permutation.fromTables(numbers, permTable, 0).selectColumns("name").withTake(n);
        Permutation<TensorDict> dict = arrow.withNullFill("name", 0).withFormat(Format.TORCH_DICT);
        Permutation<TensorDict> take = dict.withReadAhead(0)) {
      Map<String, Permutation<?>> reads = new java.util.LinkedHashMap<>();
      reads.put("read planner, TORCH_DICT", dict);
      reads.put("read planner, ARROW", arrow);
      reads.put("withReadAhead(0), TORCH_DICT", take);
      for (int bs : BATCHES) {
        for (Map.Entry<String, Permutation<?>> r : reads.entrySet()) {
          long t = median(() -> Measure.time(() -> drainAll(r.getValue(), bs)));
          String name = r.getKey();
          String goal = name.startsWith("read planner") ? " (goal ≥ 10×)" : "";
          Variant v = new Variant(name, name.replace("read ", "").replace(", ", " "), null);
          line("shuffle", "name", bs, v, n / (t / 1e9) / 1e6, peer, "shuffle", goal);
        }
      }
    }
  }

  private static void drainAll(Permutation<?> p, int bs) {
    try (var it = p.iter(bs, false)) {
      while (it.hasNext()) {
        Object b = it.next();
        if (b instanceof AutoCloseable c) {
          try {
            c.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
  }

  /**
   * Runs {@code peer_column.mjs} (copied into {@code peerDir}, next to the peer's packages) for one
   * column; returns M rows/s by {@code shuffle/<column>/<batch>}.
   */
  private Map<String, Double> runPeerColumn(
      Path peerDir, Path db, String permTable, String column, long n)
      throws IOException, InterruptedException {
    Path json = db.resolveSibling(db.getFileName() + "-" + column + ".json");
    Map<String, Double> out = new HashMap<>();
    PeerColumn.run(
            peerDir,
            db.toAbsolutePath().toString(),
            Map.of(),
            Path.of(db.toAbsolutePath() + "_bench_perms"),
            permTable,
            List.of(column),
            n,
            reps,
            json)
        .forEach((bs, mrows) -> out.put("shuffle/" + column + "/" + bs, mrows));
    return out;
  }

  private final Map<String, Double> rawScan = new HashMap<>();
  private final java.util.Set<String> charted = new java.util.HashSet<>();

  private void line(
      String mode,
      String cols,
      int bs,
      Variant variant,
      double mine,
      Map<String, Double> peer,
      String peerMode,
      String goal) {
    Double theirs = peer.get(peerMode + "/" + cols + "/" + bs);
    String what = String.format("%s, %s, batch %d: lance-torch %s", mode, cols, bs, variant.name);
    report.add(
        "vs LanceDB",
        what,
        String.format("%.3f", mine),
        "M rows/s",
        String.format("LanceDB %.3f M rows/s; %s", theirs, Measure.rss()),
        theirs == null ? "" : String.format("%.2f× LanceDB%s", mine / theirs, goal));
    String key = mode + " " + cols + " b" + bs;
    if (theirs != null && charted.add(key)) {
      report.chart(key + " LanceDB", theirs);
    }
    report.chart(key + " lance-torch " + variant.label, mine);
  }

  /** Median of {@code reps} runs after one warm-up. */
  private long median(LongSupplier run) {
    run.getAsLong();
    long[] t = new long[reps];
    for (int i = 0; i < reps; i++) {
      t[i] = run.getAsLong();
    }
    java.util.Arrays.sort(t);
    return t[reps / 2];
  }

  private static void drain(Permutation<TensorDict> p, int bs) {
    try (var it = p.iter(bs, false)) {
      while (it.hasNext()) {
        it.next().close();
      }
    }
  }

  private static void scanRows(Table t, List<String> cols, int bs, long n) {
    try (ArrowReader r = t.query().select(cols).limit(n).batchSize(bs).toArrowReader()) {
      while (r.loadNextBatch()) {
        r.getVectorSchemaRoot().getRowCount();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code bench.mjs}; returns rows/s by {@code mode/columns/batch} in M rows/s, or null
   * without node.
   */
  private Map<String, Double> runPeer(Path peerDir, Path db, Path json)
      throws IOException, InterruptedException {
    String node = PeerColumn.findOnPath("node");
    if (node == null) {
      report.add(
          "vs LanceDB",
          "skipped: node is not on PATH (LanceDB's reader runs on its Node package)",
          "",
          "",
          "",
          "");
      return null;
    }
    List<String> cmd =
        List.of(
            node,
            "bench.mjs",
            db.toAbsolutePath().toString(),
            "--runs",
            Integer.toString(reps),
            "--modes",
            "scan,shuffle,clump64",
            "--limit",
            Long.toString(rows),
            "--json",
            json.toAbsolutePath().toString());
    System.out.println("LanceDB peer: " + String.join(" ", cmd) + " (in " + peerDir + ")");
    Process p = new ProcessBuilder(cmd).directory(peerDir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("LanceDB peer failed (exit " + p.exitValue() + "): " + cmd);
    }
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    Map<String, Double> out = new HashMap<>();
    for (JsonNode r : root.get("summary")) {
      out.put(
          r.get("mode").asText() + "/" + r.get("columns").asText() + "/" + r.get("batch").asInt(),
          r.get("rows_per_s").asDouble() / 1e6);
    }
    report.add(
        "vs LanceDB",
        "LanceDB's reader: @lancedb/lancedb (Node "
            + root.get("machine").get("node").asText()
            + "), medians of "
            + reps
            + ", "
            + rows
            + " rows per read, same tables",
        "",
        "",
        "",
        "");
    return out;
  }
}
