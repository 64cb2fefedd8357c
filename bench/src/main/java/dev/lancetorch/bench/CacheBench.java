package dev.lancetorch.bench;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.permutation.CacheOptions;
import dev.lancetorch.permutation.CacheStats;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.TensorDict;
import dev.lancetorch.threads.ThreadBudget;
import dev.lancetorch.torch.NativeLibrary;
import dev.lancetorch.torch.TorchBatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * The cache tier on a large table ({@code make bench-large}): full shuffled epochs of {@code
 * numbers} (written by LanceDB's own package, {@code write_numbers.mjs}; 16M rows by default)
 * through a permutation built by lance-torch's builder, with a disk cache (read-ahead 64 MiB, RAM
 * tier 256 MiB, disk tier on), against a raw Lance scan of the same columns and LanceDB's own
 * reader ({@code peer_column.mjs}, the official Node package) over the first {@code --peer-rows}
 * rows of the same permutation — all in this program run. Prints one line per measurement and
 * writes a Markdown report ({@code --out}).
 *
 * <p>Arguments: {@code --db DIR} (holds {@code numbers.lance}; the permutation goes to {@code
 * DIR_bench_perms}), {@code --peer-dir DIR} (lancedb-peer with its packages installed; without it
 * LanceDB's lines are skipped and the report says so), {@code --cache DIR} (emptied per
 * measurement), {@code --peer-rows N} (default 65,536), {@code --runs N} (raw scans and epoch 2,
 * median; default 3), {@code --out FILE}, {@code --columns cols4,vec,name} (the column sets to
 * run). The {@code s3://} part ({@code bench/scripts/s3-large.sh}): {@code --s3-db URI}, {@code
 * --storage KEY=VALUE} (repeated), {@code --s3-peer-rows N} (default 4,096), {@code --s3-counter
 * HOST:PORT} (the control port of {@code bench/scripts/DelayProxy.java}: the requests and bytes
 * each epoch fetched from the object store; without it those columns say "—").
 */
public final class CacheBench {
  private static final long READ_AHEAD = 64L << 20;
  private static final long RAM = 256L << 20;
  private static final long DISK = 16L << 30;
  private static final int[] BATCHES = {1024, 16384};

  private record Columns(String label, List<String> names) {}

  private static final List<Columns> COLUMNS =
      List.of(
          new Columns("cols4", List.of("x", "y", "z", "label")),
          new Columns("vec", List.of("vec")),
          new Columns("name", List.of("name")));

  private final List<String> md = new ArrayList<>();
  private final int runs;

  private final java.util.Set<String> only;

  private CacheBench(int runs, java.util.Set<String> only) {
    this.runs = runs;
    this.only = only;
  }

  public static void main(String[] args) throws Exception {
    Path db = null;
    Path peerDir = null;
    Path cache = Path.of("target/cache-bench");
    Path out = Path.of("docs/benchmarks-large.md");
    long peerRows = 65_536;
    int runs = 3;
    java.util.Set<String> only = null;
    String s3Db = null;
    long s3PeerRows = 4096;
    String s3Counter = null;
    Map<String, String> storage = new java.util.TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--db" -> db = Path.of(args[i + 1]);
        case "--peer-dir" -> peerDir = Path.of(args[i + 1]);
        case "--cache" -> cache = Path.of(args[i + 1]);
        case "--peer-rows" -> peerRows = Long.parseLong(args[i + 1]);
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        case "--columns" -> only = java.util.Set.of(args[i + 1].split(","));
        case "--s3-db" -> s3Db = args[i + 1];
        case "--s3-peer-rows" -> s3PeerRows = Long.parseLong(args[i + 1]);
        case "--s3-counter" -> s3Counter = args[i + 1];
        case "--storage" -> {
          String[] kv = args[i + 1].split("=", 2);
          storage.put(kv[0], kv[1]);
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (db == null) {
      throw new IllegalArgumentException("--db DIR is required (a database holding numbers.lance)");
    }
    NativeLibrary.load();
    CacheBench b = new CacheBench(runs, only);
    b.run(db, peerDir, cache, peerRows);
    if (s3Db != null) {
      b.runS3(s3Db, storage, db, peerDir, cache, s3PeerRows, s3Counter);
    }
    b.md.add("");
    b.md.addAll(b.fills);
    b.md.addAll(b.s3md);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, String.join("\n", b.md) + "\n");
    System.out.println("wrote " + out);
  }

  private void run(Path db, Path peerDir, Path cacheDir, long peerRows) throws Exception {
    Path permsDir = db.resolveSibling(db.getFileName() + "_bench_perms");
    try (Connection c = LanceDb.connect(db.toString());
        Connection perms = LanceDb.connect(permsDir.toString());
        Table numbers = c.openTable("numbers")) {
      long rows = numbers.countRows();
      if (!perms.tableNames().contains("bench_shuffle")) {
        long t0 = System.nanoTime();
        Permutation.builder(numbers).shuffle(7).persist(perms, "bench_shuffle").close();
        System.out.printf(
            "built bench_shuffle with lance-torch's builder (%.1f s)%n",
            (System.nanoTime() - t0) / 1e9);
      }
      header(rows, numbers, peerDir, peerRows);
      for (Columns cols : selected()) {
        Map<Integer, Double> peer =
            peerDir == null
                ? Map.of()
                : runPeer(
                    peerDir,
                    db.toAbsolutePath().toString(),
                    Map.of(),
                    permsDir,
                    cols,
                    peerRows,
                    cols.label());
        // the scan is sampled before the fill and again after each batch size's epochs: one scan's
        // rate moves by a third from run to run on this machine, so its median over the whole
        // column
        // set, not one moment, is what the epochs are divided by
        List<Long> scanNs = new ArrayList<>();
        scanSamples(numbers, cols, rows, scanNs, true);
        double before = mrows(rows, scanNs);
        fillAlone(numbers, perms, cols, rows, before, cacheDir);
        warmUp(numbers, perms, cols, rows, cacheDir);
        Map<Integer, Epochs> byBatch = new java.util.LinkedHashMap<>();
        for (int bs : BATCHES) {
          Epochs e = epochs(numbers, perms, cols, bs, rows, cacheDir, runs, null);
          byBatch.put(bs, e);
          localEpoch2.put(cols.label() + "/" + bs, e.second());
          scanSamples(numbers, cols, rows, scanNs, false);
        }
        double scan = mrows(rows, scanNs);
        String scanLine =
            String.format(
                "%s: raw scan runs, M rows/s, in order (%d before the fill, then %d after each"
                    + " batch size's epochs): %s; median %.3f",
                cols.label(),
                runs,
                runs,
                String.join(
                    ", ",
                    scanNs.stream()
                        .map(ns -> String.format("%.1f", rows / (ns / 1e9) / 1e6))
                        .toList()),
                scan);
        System.out.println(scanLine);
        fills.add("- " + scanLine);
        localScan.put(cols.label(), scan);
        for (Map.Entry<Integer, Epochs> be : byBatch.entrySet()) {
          int bs = be.getKey();
          Epochs e = be.getValue();
          Double p = peer.get(bs);
          String line =
              String.format(
                  "| %s | %d | %.3f | %.3f | %.2f× | %.3f | %.2f× | %s | %s | %s | %s | %d (%d /"
                      + " %d) / %d MiB |",
                  cols.label(),
                  bs,
                  scan,
                  e.first(),
                  e.first() / scan,
                  e.second(),
                  e.second() / scan,
                  p == null ? "—" : String.format("%.3f", p),
                  p == null ? "—" : String.format("%.0f×", e.first() / p),
                  p == null ? "—" : String.format("%.0f×", e.second() / p),
                  e.onDisk(),
                  e.rssAnonMiB(),
                  e.peakE1AnonMiB(),
                  e.peakE2AnonMiB(),
                  e.rssFileMiB());
          md.add(line);
          System.out.println(line);
        }
      }
    }
  }

  /** The column sets {@code --columns} selects (all by default). */
  private List<Columns> selected() {
    return COLUMNS.stream().filter(c -> only == null || only.contains(c.label())).toList();
  }

  private void header(long rows, Table numbers, Path peerDir, long peerRows) {
    String machine = Measure.machine();
    System.out.println("machine: " + machine);
    md.add("# Large tables: the cache tier");
    md.add("");
    md.add(
        "Written by `make bench-large` (`dev.lancetorch.bench.CacheBench`). Machine: "
            + machine
            + "; thread budget "
            + ThreadBudget.current()
            + "; malloc "
            + NativeLibrary.mallocSettings()
            + ".");
    md.add("");
    md.add(
        String.format(
            "Table `numbers`: %,d rows in %d fragments, written by LanceDB's own package"
                + " (`write_numbers.mjs`); permutation `bench_shuffle` (row shuffle, seed 7) built"
                + " by lance-torch's builder. Every epoch reads all %,d rows in the permutation's"
                + " order as `TORCH_DICT` (read-ahead 64 MiB, `withCache(CacheOptions.disk(dir, 16"
                + " GiB).memory(256 MiB))`; the cache directory emptied before epoch 1, so epoch 1"
                + " includes the whole fill; before the timed epochs of a column set, one untimed"
                + " epoch 1 and 2 per batch size warm up the JIT, as a warm-up scan does for the"
                + " scan). *Scan* = a raw Lance scan of the same columns (Arrow"
                + " C stream, batch 65,536), median of %d runs: a third before the fill, a third"
                + " after each batch size's epochs (one scan's rate moves by about a third from run"
                + " to run on this machine; `fillCache() alone` is divided by the runs before it)."
                + " LanceDB = its own reader (the official"
                + " Node package, the way LanceDB's Rust `PermutationReader` reads: one take per"
                + " batch) over the first %,d rows of the same permutation, %s, in this same run. M"
                + " rows/s.",
            rows,
            numbers.fragments().size(),
            rows,
            runs * (1 + BATCHES.length),
            peerRows,
            peerDir == null ? "NOT measured (no --peer-dir)" : "median of " + runs));
    md.add("");
    md.add(
        "| columns | batch | scan | epoch 1 (fill) | ÷ scan | epoch 2 | ÷ scan | LanceDB | epoch 1"
            + " ÷ LanceDB | epoch 2 ÷ LanceDB | cache on disk | RSS anon after (peak epoch 1 /"
            + " epochs 2) / file |");
    md.add("|---|---|---|---|---|---|---|---|---|---|---|---|");
  }

  /**
   * Adds {@code runs} timed full scans of the columns to {@code ns} (nanoseconds each), after an
   * untimed one when {@code warmUp}.
   */
  private void scanSamples(Table t, Columns cols, long rows, List<Long> ns, boolean warmUp) {
    if (warmUp) {
      scanOnce(t, cols);
    }
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      long n = scanOnce(t, cols);
      ns.add(System.nanoTime() - t0);
      if (n != rows) {
        throw new IllegalStateException("scan read " + n + " rows of " + rows);
      }
    }
  }

  /** M rows/s at the median of {@code ns}. */
  private static double mrows(long rows, List<Long> ns) {
    long[] sorted = ns.stream().mapToLong(Long::longValue).sorted().toArray();
    return rows / (sorted[sorted.length / 2] / 1e9) / 1e6;
  }

  /** {@code fillCache()} into an empty directory, before any epoch: sequential reads only. */
  private void fillAlone(
      Table numbers, Connection perms, Columns cols, long rows, double scan, Path cacheDir)
      throws IOException {
    deleteTree(cacheDir);
    try (Table permTable = perms.openTable("bench_shuffle");
        Permutation<TensorDict> p =
            Permutation.fromTables(numbers, permTable, 0)
                .selectColumns(cols.names().toArray(new String[0]))
                .withFormat(Format.TORCH_DICT)
                .withCache(CacheOptions.disk(cacheDir, DISK).memory(RAM))) {
      long t0 = System.nanoTime();
      p.fillCache();
      double s = (System.nanoTime() - t0) / 1e9;
      CacheStats st = p.cacheStats();
      String line =
          String.format(
              "%s: fillCache() alone (no epoch) %.2f s = %.3f M rows/s (%.2f× scan), %.0f MiB"
                  + " written, %.0f MiB/s",
              cols.label(),
              s,
              rows / s / 1e6,
              rows / s / 1e6 / scan,
              st.bytesFilled() / 1048576.0,
              st.bytesFilled() / 1048576.0 / s);
      System.out.println(line);
      fills.add("- " + line);
    }
  }

  private final List<String> fills = new ArrayList<>();

  private static long scanOnce(Table t, Columns cols) {
    long n = 0;
    try (ArrowReader r = t.query().select(cols.names()).batchSize(65_536).toArrowReader()) {
      while (r.loadNextBatch()) {
        n += r.getVectorSchemaRoot().getRowCount();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  private final Map<String, Double> localScan = new HashMap<>();
  private final Map<String, Double> localEpoch2 = new HashMap<>();
  private final List<String> s3md = new ArrayList<>();

  /**
   * The same epochs over {@code s3://} (the same table served by S3Proxy with its latency
   * middleware), against the local raw scan and the local disk-cache epoch 2 of this run, and
   * LanceDB's reader on the same endpoint.
   */
  private void runS3(
      String s3Db,
      Map<String, String> storage,
      Path db,
      Path peerDir,
      Path cacheDir,
      long peerRows,
      String counter)
      throws Exception {
    Traffic.Source traffic = counter == null ? null : () -> Traffic.read(counter);
    Path permsDir = db.resolveSibling(db.getFileName() + "_bench_perms");
    s3md.add("");
    s3md.add("## `s3://`");
    s3md.add("");
    s3md.add(
        String.format(
            "The same table at `%s`: S3Proxy 2.9.0 on 127.0.0.1 (filesystem-nio2 backend over the"
                + " same files, logging warnings only) behind a loopback TCP proxy that delays"
                + " every request by 30 ms (`bench/scripts/DelayProxy.java`, set up by"
                + " `bench/scripts/s3-large.sh`; S3Proxy's own latency middleware answers ranged"
                + " GETs without `Content-Range`, which Lance refuses); the permutation table stays"
                + " local. Epoch 1 includes the whole fill from the object store. *local scan* ="
                + " the raw local scan above; *local e2* = the local disk-cache epoch 2 above (same"
                + " run). LanceDB = its reader on the same endpoint over the first %,d rows, median"
                + " of %d. *Requests* and *MiB fetched* = what went through that proxy while the"
                + " epoch ran (%s): HTTP requests of every kind, in brackets the GETs under `data/`"
                + " (the `*.lance` data files), and the bytes the server sent back, headers"
                + " included; for epoch 2, the largest of its %d runs (each figure on its own).",
            s3Db,
            peerRows,
            runs,
            counter == null
                ? "NOT measured: no `--s3-counter`"
                : "its counters read on its control port `" + counter + "` before and after",
            runs));
    s3md.add("");
    s3md.add(
        "| columns | batch | epoch 1 (fill) | ÷ local scan | epoch 2 | ÷ local e2 | LanceDB (s3) |"
            + " epoch 1 ÷ LanceDB | epoch 2 ÷ LanceDB | bytes filled | epoch 1 requests (data GETs)"
            + " | epoch 1 MiB fetched | epoch 2 requests (data GETs) | epoch 2 MiB fetched |");
    s3md.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    try (Connection c =
            LanceDb.connect(s3Db, ConnectOptions.builder().storageOptions(storage).build());
        Connection perms = LanceDb.connect(permsDir.toString());
        Table numbers = c.openTable("numbers")) {
      long rows = numbers.countRows();
      for (Columns cols : selected()) {
        Map<Integer, Double> peer =
            peerDir == null
                ? Map.of()
                : runPeer(peerDir, s3Db, storage, permsDir, cols, peerRows, "s3-" + cols.label());
        for (int bs : BATCHES) {
          Epochs e = epochs(numbers, perms, cols, bs, rows, cacheDir, runs, traffic);
          double e1 = e.first();
          double e2 = e.second();
          double scan = localScan.get(cols.label());
          Double local2 = localEpoch2.get(cols.label() + "/" + bs);
          Double p = peer.get(bs);
          String out =
              String.format(
                  "| %s | %d | %.3f | %.2f× | %.3f | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
                  cols.label(),
                  bs,
                  e1,
                  e1 / scan,
                  e2,
                  local2 == null ? "—" : String.format("%.2f×", e2 / local2),
                  p == null ? "—" : String.format("%.4f", p),
                  p == null ? "—" : String.format("%.0f×", e1 / p),
                  p == null ? "—" : String.format("%.0f×", e2 / p),
                  e.onDisk(),
                  Traffic.requests(e.fillTraffic()),
                  Traffic.mib(e.fillTraffic()),
                  Traffic.requests(e.secondTraffic()),
                  Traffic.mib(e.secondTraffic()));
          System.out.println("s3 " + out);
          if (traffic != null) {
            System.out.printf(
                "s3 traffic | %s | %d | epoch 1: %s | epoch 2 runs: %s |%n",
                cols.label(),
                bs,
                e.fillTraffic(),
                String.join(", ", e.secondRuns().stream().map(Traffic::toString).toList()));
          }
          s3md.add(out);
        }
      }
    }
  }

  /**
   * One measurement: epoch 1 (fill included) and epoch 2 (median), M rows/s; what the cache holds
   * on disk; the process's anonymous RSS after it and its peaks during epoch 1 and during the
   * epochs 2, its file-backed RSS after it; object-store traffic of epoch 1 and of each epoch 2
   * (null and empty when not measured).
   */
  private record Epochs(
      double first,
      double second,
      String onDisk,
      long rssAnonMiB,
      long peakE1AnonMiB,
      long peakE2AnonMiB,
      long rssFileMiB,
      Traffic fillTraffic,
      List<Traffic> secondRuns) {
    /** Epoch 2's traffic: the largest of its runs, each figure on its own (null: not measured). */
    Traffic secondTraffic() {
      return secondRuns.stream().reduce(Traffic::max).orElse(null);
    }
  }

  /**
   * Object-store traffic through {@code bench/scripts/DelayProxy.java} (its counters, or what they
   * grew by): HTTP requests, GETs of data files, bytes the server sent back.
   */
  private record Traffic(long requests, long dataGets, long bytesDown) {
    /** Reads the counters from the proxy's control port. */
    interface Source {
      Traffic read() throws IOException;
    }

    static Traffic read(String hostPort) throws IOException {
      int colon = hostPort.lastIndexOf(':');
      try (Socket s =
              new Socket(
                  hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
          BufferedReader r =
              new BufferedReader(
                  new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
        String line = r.readLine();
        if (line == null) {
          throw new IOException("no counters from " + hostPort);
        }
        Map<String, Long> m = new HashMap<>();
        for (String kv : line.trim().split(" ")) {
          String[] p = kv.split("=", 2);
          m.put(p[0], Long.parseLong(p[1]));
        }
        return new Traffic(m.get("requests"), m.get("data_gets"), m.get("bytes_down"));
      }
    }

    Traffic minus(Traffic o) {
      return new Traffic(requests - o.requests, dataGets - o.dataGets, bytesDown - o.bytesDown);
    }

    Traffic max(Traffic o) {
      return new Traffic(
          Math.max(requests, o.requests),
          Math.max(dataGets, o.dataGets),
          Math.max(bytesDown, o.bytesDown));
    }

    static String requests(Traffic t) {
      return t == null ? "—" : t.requests + " (" + t.dataGets + ")";
    }

    static String mib(Traffic t) {
      return t == null ? "—" : String.format("%.1f", t.bytesDown / 1048576.0);
    }

    @Override
    public String toString() {
      return String.format(
          "%d requests (%d data GETs), %.1f MiB", requests, dataGets, bytesDown / 1048576.0);
    }
  }

  /**
   * Untimed: epoch 1 and one epoch 2 at every batch size (the cache emptied before each epoch 1,
   * and after), so that the timed epochs run compiled code, as the raw scan's median does after its
   * warm-up scan — without it the first timed epoch 1 spent 40 % of its CPU in the JIT compilers
   * (perf, 2026-12-07 17:19).
   */
  private void warmUp(Table numbers, Connection perms, Columns cols, long rows, Path cacheDir)
      throws IOException {
    try {
      for (int bs : BATCHES) {
        epochs(numbers, perms, cols, bs, rows, cacheDir, 1, null);
      }
    } finally {
      deleteTree(cacheDir);
    }
    System.out.printf("%s: warmed up (one untimed epoch 1 and 2 per batch size)%n", cols.label());
  }

  /**
   * Epoch 1 into an emptied cache directory, then {@code e2Runs} epochs 2 (their median). With
   * {@code traffic}, its counters are read right before and after epoch 1 and each epoch 2 (outside
   * the timed spans); without it, no traffic is measured.
   */
  private Epochs epochs(
      Table numbers,
      Connection perms,
      Columns cols,
      int bs,
      long rows,
      Path cacheDir,
      int e2Runs,
      Traffic.Source traffic)
      throws IOException {
    deleteTree(cacheDir);
    try (Table permTable = perms.openTable("bench_shuffle")) {
      Permutation<TensorDict> base =
          Permutation.fromTables(numbers, permTable, 0)
              .selectColumns(cols.names().toArray(new String[0]))
              .withNullFill(0)
              .withFormat(Format.TORCH_DICT)
              .withReadAhead(READ_AHEAD);
      try (Permutation<TensorDict> p =
          base.withCache(CacheOptions.disk(cacheDir, DISK).memory(RAM))) {
        Traffic before = traffic == null ? null : traffic.read();
        RssPeak peak = RssPeak.start();
        long t0 = System.nanoTime();
        long n1 = drain(p, bs, cols.names().get(0));
        p.fillCache(); // the fills still running when the epoch ended count in epoch 1
        double e1 = n1 / ((System.nanoTime() - t0) / 1e9) / 1e6;
        long peakE1 = peak.takeKb();
        Traffic fillTraffic = traffic == null ? null : traffic.read().minus(before);
        List<Traffic> secondRuns = new ArrayList<>();
        long[] ns = new long[e2Runs];
        for (int i = 0; i < e2Runs; i++) {
          before = traffic == null ? null : traffic.read();
          long t1 = System.nanoTime();
          long n2 = drain(p, bs, cols.names().get(0));
          ns[i] = System.nanoTime() - t1;
          if (traffic != null) {
            secondRuns.add(traffic.read().minus(before));
          }
          if (n2 != rows || n1 != rows) {
            throw new IllegalStateException("an epoch read " + n1 + "/" + n2 + " rows of " + rows);
          }
        }
        long peakE2 = peak.takeKb();
        peak.stop();
        java.util.Arrays.sort(ns);
        double e2 = rows / (ns[e2Runs / 2] / 1e9) / 1e6;
        CacheStats s = p.cacheStats();
        long[] rss = rssAnonFileKb();
        return new Epochs(
            e1,
            e2,
            String.format(
                "%.0f MiB (%d fragments filled, %d skipped)",
                s.bytesMapped() / 1048576.0, s.fragmentsFilled(), s.fragmentsSkipped()),
            rss[0] / 1024,
            peakE1 / 1024,
            peakE2 / 1024,
            rss[1] / 1024,
            fillTraffic,
            secondRuns);
      }
    }
  }

  /** Reads one epoch; returns its rows (counted on {@code column}'s tensors). */
  private static long drain(Permutation<TensorDict> p, int bs, String column) {
    long n = 0;
    try (var it = p.iter(bs, false)) {
      while (it.hasNext()) {
        try (TensorDict d = it.next()) {
          n +=
              d.containsKey(column + TorchBatch.OFFSETS_SUFFIX)
                  ? d.offsets(column).size(0) - 1
                  : d.get(column).size(0);
        }
      }
    }
    return n;
  }

  /**
   * The highest anonymous RSS of this process seen while it runs, sampled every 5 ms on a daemon
   * thread; {@link #takeKb} returns it and starts over.
   */
  private static final class RssPeak {
    private final java.util.concurrent.atomic.AtomicLong max =
        new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean running = true;

    static RssPeak start() {
      RssPeak p = new RssPeak();
      Thread t =
          new Thread(
              () -> {
                while (p.running) {
                  p.max.accumulateAndGet(rssAnonFileKb()[0], Math::max);
                  try {
                    Thread.sleep(5);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "bench-rss-peak");
      t.setDaemon(true);
      t.start();
      return p;
    }

    long takeKb() {
      long now = rssAnonFileKb()[0];
      return Math.max(now, max.getAndSet(now));
    }

    void stop() {
      running = false;
    }
  }

  /** RssAnon and RssFile of this process in KiB (mapped cache files count as file pages). */
  private static long[] rssAnonFileKb() {
    long anon = -1;
    long file = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("RssAnon:")) {
          anon = Long.parseLong(line.replaceAll("\\D", ""));
        } else if (line.startsWith("RssFile:")) {
          file = Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      // not Linux: unknown
    }
    return new long[] {anon, file};
  }

  /** LanceDB's reader over the first {@code n} rows, M rows/s by batch size. */
  private Map<Integer, Double> runPeer(
      Path peerDir,
      String db,
      Map<String, String> storage,
      Path permsDir,
      Columns cols,
      long n,
      String tag)
      throws IOException, InterruptedException {
    if (PeerColumn.findOnPath("node") == null) {
      throw new IllegalStateException("node is not on PATH (LanceDB's reader runs on Node)");
    }
    Path json = permsDir.resolveSibling("cache-bench-" + tag + ".json");
    return PeerColumn.run(
        peerDir, db, storage, permsDir, "bench_shuffle", cols.names(), n, runs, json);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
