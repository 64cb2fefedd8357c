package dev.lancetorch.bench;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.BatchIterator;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.SplitSizes;
import dev.lancetorch.threads.ThreadBudget;
import dev.lancetorch.torch.NativeLibrary;
import dev.lancetorch.torch.TorchBatch;
import dev.lancetorch.torch.TorchScan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code make bench}: one program, one run; every line is the median of {@code --reps} (default 3)
 * runs after warm-up runs, and every ratio compares two figures of this run. Writes {@code
 * docs/benchmarks.md} and {@code docs/benchmarks.png}. Flags: {@code --rows N} (wide table, default
 * 10M), {@code --shuffle-rows N} (default 1M), {@code --reps N}, {@code --dir PATH} (bench
 * database, default {@code target/bench-db}), {@code --out DIR} (default {@code docs}); LanceDB's
 * reader side by side ({@link PeerBench}): {@code --peer-dir PATH} (an installed copy of {@code
 * lancedb-peer}) and {@code --peer-db PATH} (its reference database), {@code --peer-rows N} (rows
 * per read, default 262144); {@code --loader-rows N} (rows of the loader section's shuffled epoch,
 * default 262144); {@code make demo} under thread settings ({@link DemoThreadsBench}): {@code
 * --demo-seconds S} (an epoch of each {@code make demo} run stops after S seconds, default 8; 0
 * skips it); {@code --sections a,b} (default all: peer, threads, bridge, formats, loader, build,
 * soak, varlen).
 */
public final class Bench {
  private final Report report = new Report();
  private final int reps;
  private static long loaderRows = 262_144;
  private final RootAllocator allocator = new RootAllocator();

  private Bench(int reps) {
    this.reps = reps;
  }

  public static void main(String[] args) throws Exception {
    long rows = 10_000_000;
    long shuffleRows = 1_000_000;
    int reps = 3;
    Path dir = Path.of("target/bench-db");
    Path out = Path.of("docs");
    Path peerDir = null;
    Path peerDb = null;
    long peerRows = 262_144;
    double demoSeconds = 8;
    java.util.Set<String> sections =
        java.util.Set.of(
            "peer", "threads", "bridge", "formats", "loader", "build", "soak", "varlen");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--peer-dir" -> peerDir = Path.of(args[i + 1]);
        case "--peer-db" -> peerDb = Path.of(args[i + 1]);
        case "--peer-rows" -> peerRows = Long.parseLong(args[i + 1]);
        case "--loader-rows" -> loaderRows = Long.parseLong(args[i + 1]);
        case "--demo-seconds" -> demoSeconds = Double.parseDouble(args[i + 1]);
        case "--sections" -> sections = java.util.Set.of(args[i + 1].split(","));
        case "--rows" -> rows = Long.parseLong(args[i + 1]);
        case "--shuffle-rows" -> shuffleRows = Long.parseLong(args[i + 1]);
        case "--reps" -> reps = Integer.parseInt(args[i + 1]);
        case "--dir" -> dir = Path.of(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    NativeLibrary
        .load(); // the thread budget applies here (torch/OpenBLAS/Lance sized for this machine)
    Bench b = new Bench(Math.max(3, reps | 1));
    System.out.println("machine: " + Measure.machine());
    b.report.add(
        "threads", "thread budget of this run", String.valueOf(ThreadBudget.current()), "", "", "");
    b.report.add(
        "threads", "malloc thresholds of this run", NativeLibrary.mallocSettings(), "", "", "");
    if (!sections.contains("peer")) {
      System.out.println("section peer not selected");
    } else if (peerDir != null && peerDb != null) {
      new PeerBench(b.report, b.reps, peerRows).run(peerDir, peerDb);
    } else {
      b.report.add(
          "vs LanceDB",
          "skipped: no --peer-dir/--peer-db (make bench sets them when node is installed)",
          "",
          "",
          "",
          "");
    }
    if (demoSeconds > 0 && sections.contains("threads")) {
      b.threads(demoSeconds);
    }
    try (Connection db =
        LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(b.allocator).build())) {
      long t0 = System.nanoTime();
      try (Table wide = BenchData.openOrCreate(db, "wide", rows, true);
          Table narrow = BenchData.openOrCreate(db, "narrow", shuffleRows, false)) {
        System.out.printf(
            "tables ready in %.1f s (wide %d rows, narrow %d rows)%n",
            (System.nanoTime() - t0) / 1e9, wide.countRows(), narrow.countRows());
        if (sections.contains("bridge")) {
          b.bridge(wide);
        }
        if (sections.contains("formats")) {
          b.formats(narrow);
        }
        if (sections.contains("loader")) {
          b.loader(narrow);
        }
        if (sections.contains("build")) {
          b.builds(narrow, wide);
        }
      }
      if (sections.contains("soak")) {
        b.soak(db);
      }
    }
    if (sections.contains(VariableLengthBench.SECTION)) {
      b.variableLength();
    }
    b.report.add("memory", "process after the run", Measure.rss(), "", "", "");
    b.allocator.close();
    b.report.write(out, Measure.machine());
  }

  // ---- 1. the bridge on a Lance scan ----

  private long scan(
      Table t, List<String> cols, int batchSize, Consumer<VectorSchemaRoot> perBatch) {
    return Measure.time(
        () -> {
          try (ArrowReader r = t.query().select(cols).batchSize(batchSize).toArrowReader()) {
            while (r.loadNextBatch()) {
              perBatch.accept(r.getVectorSchemaRoot());
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private void bridge(Table wide) {
    int bs = 16384;
    long n = wide.countRows();
    long batches = (n + bs - 1) / bs;
    List<String> all = List.of("a", "b", "c", "d", "emb");
    double bytesPerRow = 4 * 4 + 4 * BenchData.DIM;
    long raw = Measure.medianNanos(reps, () -> scan(wide, all, bs, r -> {}));
    report.rate(
        "bridge", "raw Lance Java scan a,b,c,d,emb (batch 16384)", n, raw, bytesPerRow, null);

    long rawNative = Measure.medianNanos(reps, () -> nativeScan(wide, all, bs, tb -> {}));
    report.rate(
        "bridge",
        "raw native scan a,b,c,d,emb (Lance Arrow C stream → shim, batch 16384)",
        n,
        rawNative,
        bytesPerRow,
        raw);
    String[] names = {
      "TORCH_DICT all columns (zero-copy)",
      "one column → 1-D (zero-copy)",
      "emb → (D,R) view (zero-copy)",
      "a,b,c,d → (C,R) gather (copy)"
    };
    for (int k = 0; k < names.length; k++) {
      final int kind = k;
      java.util.function.Consumer<TorchBatch> convert =
          tb -> {
            switch (kind) {
              case 0 -> tb.dict(all).values().forEach(Tensor::close);
              case 1 -> tb.column("a").close();
              case 2 -> tb.columnMajor("emb").close();
              default -> tb.stack(BenchData.SCALARS).close();
            }
          };
      for (boolean nativePath : new boolean[] {false, true}) {
        List<Long> perBatch = new ArrayList<>();
        long total =
            Measure.medianNanos(
                reps,
                () -> {
                  perBatch.clear();
                  if (nativePath) {
                    return nativeScan(
                        wide,
                        all,
                        bs,
                        tb -> {
                          long t0 = System.nanoTime();
                          convert.accept(tb);
                          perBatch.add(System.nanoTime() - t0);
                        });
                  }
                  return scan(
                      wide,
                      all,
                      bs,
                      root -> {
                        long t0 = System.nanoTime();
                        try (TorchBatch tb = TorchBatch.fromRoot(root, allocator)) {
                          convert.accept(tb);
                        }
                        perBatch.add(System.nanoTime() - t0);
                      });
                });
        perBatch.sort(null);
        double us = perBatch.get(perBatch.size() / 2) / 1e3;
        String path = nativePath ? "native stream" : "Java reader + fromRoot (export/import)";
        report.rate(
            "bridge",
            "scan + " + names[k] + ", " + path,
            n,
            total,
            bytesPerRow,
            nativePath ? rawNative : raw);
        report.add(
            "bridge",
            "median conversion per batch: " + names[k] + ", " + path,
            String.format("%.1f", us),
            "µs/batch",
            kind == 3 ? String.format("%.2f GB/s", 16.0 * bs / (us * 1e3)) : "goal ≤ 5 µs",
            "");
        if (kind == 3 && nativePath) {
          long memcpy = memcpyNanos(16L * bs);
          double gatherGbs = 16.0 * bs / (us * 1e3);
          double memcpyGbs = 16.0 * bs / memcpy;
          report.add(
              "bridge",
              "memcpy (torch clone) of the same 256 KiB",
              String.format("%.2f", memcpyGbs),
              "GB/s",
              "gather / memcpy",
              String.format("%.2f× (goal ≥ 0.5×)", gatherGbs / memcpyGbs));
        }
      }
    }
    // end to end: identity permutation in TORCH_COL vs raw scan of the same columns
    long rawScalars = Measure.medianNanos(reps, () -> scan(wide, BenchData.SCALARS, bs, r -> {}));
    report.rate("bridge", "raw Lance Java scan a,b,c,d (batch 16384)", n, rawScalars, 16, null);
    Permutation<Tensor> col =
        Permutation.identity(wide).selectColumns("a", "b", "c", "d").withFormat(Format.TORCH_COL);
    long torchCol = Measure.medianNanos(reps, () -> Measure.time(() -> drain(col.iter(bs, false))));
    report.rate(
        "bridge",
        "identity permutation TORCH_COL a,b,c,d (goal ≥ 0.9× raw scan)",
        n,
        torchCol,
        16,
        rawScalars);
    Permutation<dev.lancetorch.permutation.TensorDict> dict =
        Permutation.identity(wide).withFormat(Format.TORCH_DICT);
    long torchDict =
        Measure.medianNanos(reps, () -> Measure.time(() -> drain(dict.iter(bs, false))));
    report.rate(
        "bridge",
        "identity permutation TORCH_DICT a,b,c,d,emb (vs raw Java scan)",
        n,
        torchDict,
        bytesPerRow,
        raw);
  }

  private long nativeScan(
      Table t, List<String> cols, int batchSize, Consumer<TorchBatch> perBatch) {
    return Measure.time(
        () -> {
          try (TorchScan scan = TorchScan.open(t.query().select(cols).batchSize(batchSize))) {
            while (true) {
              try (TorchBatch b = scan.next()) {
                if (b == null) {
                  break;
                }
                perBatch.accept(b);
              }
            }
          }
        });
  }

  /**
   * Median time of one memcpy-class copy of {@code bytes} bytes (alloc + copy, like the gather).
   */
  private long memcpyNanos(long bytes) {
    try (Tensor src = torch.rand(bytes / 4)) {
      return Measure.medianNanos(Math.max(reps, 51), () -> Measure.time(() -> src.clone().close()));
    }
  }

  private static <T> long drain(BatchIterator<T> it) {
    long rows = 0;
    try (it) {
      while (it.hasNext()) {
        T b = it.next();
        if (b instanceof AutoCloseable c) {
          try {
            c.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        rows++;
      }
    }
    return rows;
  }

  // ---- 2. identity reads in every format ----

  private void formats(Table narrow) {
    int bs = 16384;
    long n = narrow.countRows();
    long raw = Measure.medianNanos(reps, () -> scan(narrow, BenchData.SCALARS, bs, r -> {}));
    report.rate("formats", "raw Lance Java scan (1M × 4 float32, batch 16384)", n, raw, 16, null);
    Permutation<ArrowBatch> p = Permutation.identity(narrow);
    Map<String, Format<?>> formats = new java.util.LinkedHashMap<>();
    formats.put("ARROW", Format.ARROW);
    formats.put("TORCH_DICT", Format.TORCH_DICT);
    formats.put("TORCH_COL", Format.TORCH_COL);
    formats.put("TORCH_ROW", Format.TORCH_ROW);
    formats.put("COLUMNS (python_col)", Format.COLUMNS);
    formats.put("ROWS (python)", Format.ROWS);
    for (Map.Entry<String, Format<?>> e : formats.entrySet()) {
      boolean slow =
          e.getValue() == Format.ROWS
              || e.getValue() == Format.COLUMNS
              || e.getValue() == Format.TORCH_ROW;
      long rows = slow ? Math.min(n, 200_000) : n;
      Permutation<?> q = p.withTake(rows).withFormat(e.getValue());
      long t = Measure.medianNanos(reps, () -> Measure.time(() -> drain(q.iter(bs, false))));
      report.rate(
          "formats",
          "identity read, " + e.getKey() + (slow ? " (first 200k rows)" : ""),
          rows,
          t,
          16,
          slow ? null : raw);
    }
  }

  // ---- 3. make demo under thread settings ----

  private void threads(double seconds) throws Exception {
    List<DemoThreadsBench.Result> results =
        DemoThreadsBench.run(reps, seconds, Path.of("data/lancedb"));
    double best = DemoThreadsBench.best(results);
    for (DemoThreadsBench.Result r : results) {
      report.add(
          "threads",
          "make demo training, " + r.setting().name(),
          String.format("%.0f", r.medianRowsPerSec()),
          "rows/s",
          "best setting of this run " + String.format("%.0f", best),
          String.format(
              "%.2f× of best%s",
              r.medianRowsPerSec() / best,
              r.setting().name().startsWith("thread budget") ? " (goal ≥ 0.8×)" : ""));
    }
  }

  // ---- 4. the loader ----

  private void loader(Table narrow) {
    int bs = 1024;
    try (Table perm = Permutation.builder(narrow).shuffle(2).execute()) {
      Permutation<Tensor> p =
          Permutation.fromTables(narrow, perm, 0)
              .withFormat(Format.TORCH_COL)
              .withTake(Math.min(narrow.countRows(), loaderRows));
      long rows = p.numRows();
      long direct = Measure.medianNanos(reps, () -> Measure.time(() -> drain(p.iter(bs, false))));
      report.rate(
          "loader",
          "row-shuffled, iterate the permutation directly (batch 1024)",
          rows,
          direct,
          16,
          null);
      long[] byWorkers = new long[3];
      for (int w = 0; w <= 2; w++) {
        final int workers = w;
        byWorkers[w] =
            Measure.medianNanos(
                reps,
                () ->
                    Measure.time(
                        () -> {
                          try (DataLoader<Tensor> l =
                              DataLoader.builder(p).batchSize(bs).numWorkers(workers).build()) {
                            for (Tensor t : l) {
                              t.close();
                            }
                          }
                        }));
      }
      report.rate(
          "loader", "DataLoader, 0 workers (overhead vs direct)", rows, byWorkers[0], 16, direct);
      report.rate("loader", "DataLoader, 1 worker", rows, byWorkers[1], 16, null);
      report.rate(
          "loader",
          "DataLoader, 2 workers (vs 1 worker; goal ≥ 1.6×)",
          rows,
          byWorkers[2],
          16,
          byWorkers[1]);
      // training's shape: one loader, epochs back to back (each epoch's first window is read while
      // the one before hands out its last batches)
      int epochs = 8;
      long[] multi = new long[3];
      for (int w = 1; w <= 2; w++) {
        final int workers = w;
        multi[w] =
            Measure.medianNanos(
                reps, () -> Measure.time(() -> drainLoader(p, bs, workers, epochs)));
      }
      report.rate(
          "loader",
          "DataLoader, 1 worker, " + epochs + " epochs on one loader",
          rows * epochs,
          multi[1],
          16,
          null);
      report.rate(
          "loader",
          "DataLoader, 2 workers, " + epochs + " epochs on one loader (vs 1 worker)",
          rows * epochs,
          multi[2],
          16,
          multi[1]);
      // Steady state, as a training run reads (steadyState: one persistent loader, epochs back to
      // back): process CPU / wall (and by thread group) against the same-run spin reference, and
      // the epochs per second of 2 workers against 1. A first round of both warms up for
      // STEADY_WARMUP_NANOS each (the JIT compiles the per-epoch code paths only after dozens of
      // epochs; its threads ate up to a quarter of a core in shorter runs); then STEADY_ROUNDS
      // rounds, 1 worker and 2 alternated (this machine's speed drifts within a minute), medians.
      int cores = Runtime.getRuntime().availableProcessors();
      double spinRef = Measure.cpuPerWall(() -> Measure.spin(500));
      double[][] steady = new double[3][];
      String[] byThread = new String[3];
      double[][][] rounds = new double[3][STEADY_ROUNDS][];
      for (int round = -1; round < STEADY_ROUNDS; round++) {
        for (int w = 1; w <= 2; w++) {
          String[] threads = new String[1];
          double[] r =
              steadyState(
                  p, bs, w, round < 0 ? STEADY_WARMUP_NANOS : STEADY_ROUND_WARMUP_NANOS, threads);
          if (round >= 0) {
            rounds[w][round] = r;
            byThread[w] = threads[0];
          }
        }
      }
      for (int w = 1; w <= 2; w++) {
        steady[w] = new double[] {medianOf(rounds[w], 0), medianOf(rounds[w], 1)};
      }
      for (int w = 1; w <= 2; w++) {
        report.add(
            "loader",
            "DataLoader, "
                + w
                + " worker(s), steady state (persistent, epochs back to back; median of "
                + STEADY_ROUNDS
                + " alternated rounds of 2 s): process CPU / wall",
            String.format("%.2f", steady[w][0]),
            "cores busy",
            String.format(
                "of %d cores, %.1f ms per epoch; by thread: %s", cores, steady[w][1], byThread[w]),
            w == 1 ? "" : String.format("%.2f× 1 worker's epochs/s", steady[1][1] / steady[w][1]));
      }
      // what "every core busy" reads as on this machine now: one spinning thread per core
      report.add(
          "loader",
          "reference: one busy thread per core, process CPU / wall (what saturation reads as)",
          String.format("%.2f", spinRef),
          "cores busy",
          "of " + cores + " cores",
          "");
      report.add(
          "loader",
          "1 worker's steady-state CPU / wall vs the spin reference (1.00 = every core busy)",
          String.format("%.2f", steady[1][0] / spinRef),
          "of saturation",
          String.format(
              "so more workers can add at most %.2f× on this machine", spinRef / steady[1][0]),
          "");
      scanCeiling(narrow, (long) (steady[1][1] * 1e6));
      try (Permutation<Tensor> cached = p.withMemoryCache(1L << 30)) {
        long c1 = Measure.medianNanos(reps, () -> Measure.time(() -> drainLoader(cached, bs, 1)));
        long c2 = Measure.medianNanos(reps, () -> Measure.time(() -> drainLoader(cached, bs, 2)));
        report.rate("loader", "DataLoader, memory cache, 1 worker", rows, c1, 16, null);
        report.rate(
            "loader", "DataLoader, memory cache, 2 workers (vs 1 worker)", rows, c2, 16, c1);
      }
    }
    shuffledBridge(narrow);
    report.add("memory", "after the loader runs", Measure.rss(), "", "", "");
  }

  /**
   * Per-batch bridge cost of shuffled tensor batches: a row-shuffled permutation read by the
   * planner in one window (so every {@code next()} but the first only hands over a batch already
   * gathered in native memory), timed call by call: {@code next()} (the native batch made into the
   * format's tensors) and the consumer's close of them. Medians over every batch of {@code reps}
   * reads; the window read itself lands in one call per read, which the median leaves out.
   */
  private void shuffledBridge(Table narrow) {
    try (Table perm = Permutation.builder(narrow).shuffle(3).execute()) {
      for (int bs : new int[] {1024, 16384}) {
        for (String f : List.of("TORCH_COL", "TORCH_DICT")) {
          Permutation<?> base = Permutation.fromTables(narrow, perm, 0).withTake(262_144);
          Permutation<?> p =
              f.equals("TORCH_COL")
                  ? base.withFormat(Format.TORCH_COL)
                  : base.withFormat(Format.TORCH_DICT);
          List<Long> next = new ArrayList<>();
          List<Long> close = new ArrayList<>();
          for (int r = -1; r < reps; r++) { // r = -1: a warm-up read, not counted
            try (BatchIterator<?> it = p.iter(bs, false)) {
              while (true) {
                long t0 = System.nanoTime();
                if (!it.hasNext()) {
                  break;
                }
                Object b = it.next();
                long t1 = System.nanoTime();
                closeBatch(b);
                long t2 = System.nanoTime();
                if (r >= 0) {
                  next.add(t1 - t0);
                  close.add(t2 - t1);
                }
              }
            }
          }
          report.add(
              "loader",
              "shuffled " + f + " batch " + bs + ": bridge per batch (next() of a gathered batch)",
              String.format("%.1f", Measure.median(next) / 1e3),
              "µs",
              "close of its tensors " + String.format("%.1f µs", Measure.median(close) / 1e3),
              "goal ≤ 20 µs");
        }
      }
    }
  }

  private static void closeBatch(Object b) {
    if (b instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Warm-up of {@link #steadyState}: epochs back to back this long before timing. */
  private static final long STEADY_WARMUP_NANOS = 3_000_000_000L;

  /** Warm-up of each timed round of {@link #steadyState} (its loader's threads start). */
  private static final long STEADY_ROUND_WARMUP_NANOS = 500_000_000L;

  /** The timed part of {@link #steadyState}. */
  private static final long STEADY_NANOS = 2_000_000_000L;

  /** Alternated rounds of {@link #steadyState} per worker count. */
  private static final int STEADY_ROUNDS = 3;

  /** The median of column {@code k} of {@code rows}. */
  private static double medianOf(double[][] rows, int k) {
    double[] v = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      v[i] = rows[i][k];
    }
    java.util.Arrays.sort(v);
    return v[v.length / 2];
  }

  /**
   * One persistent loader of {@code workers} workers, epochs back to back: {@code warmupNanos} of
   * them untimed, then {@link #STEADY_NANOS} timed. Returns {process CPU / wall, ms per epoch};
   * {@code byThread[0]} gets the CPU by thread group over the timed part.
   */
  private static double[] steadyState(
      Permutation<Tensor> p, int bs, int workers, long warmupNanos, String[] byThread) {
    try (DataLoader<Tensor> l =
        DataLoader.builder(p).batchSize(bs).numWorkers(workers).persistentWorkers(true).build()) {
      Runnable epoch =
          () -> {
            for (Tensor t : l) {
              t.close();
            }
          };
      long warm = System.nanoTime() + warmupNanos;
      while (System.nanoTime() < warm) {
        epoch.run();
      }
      int[] epochs = new int[1];
      java.util.Map<String, Long> ticks0 = Measure.threadCpuTicks();
      long[] cw =
          Measure.cpuAndWall(
              () -> {
                long stop = System.nanoTime() + STEADY_NANOS;
                do {
                  epoch.run();
                  epochs[0]++;
                } while (System.nanoTime() < stop);
              });
      java.util.Map<String, Long> ticks1 = Measure.threadCpuTicks();
      byThread[0] = Measure.cpuByThread(ticks0, ticks1, cw[1]);
      return new double[] {cw[0] / (double) cw[1], cw[1] / 1e6 / epochs[0]};
    }
  }

  private static void drainLoader(Permutation<Tensor> p, int bs, int workers) {
    drainLoader(p, bs, workers, 1);
  }

  /**
   * What the read side can do at all: the loader's shuffled epoch covers every row of the table's
   * fragments (a row-shuffled quarter is spread over all of them), and the planner reads it as
   * range scans with row addresses, in parts on its read threads. Here the same scans alone, no
   * merge, no loader: one scan per fragment, then the same rows as 2 and as 4 concurrent range
   * scans. If the concurrent scans take as long as one, more threads (or workers) cannot make the
   * read faster on this machine. {@code epochNanos}: one epoch of the 1-worker loader in steady
   * state ({@link #steadyState}).
   */
  private void scanCeiling(Table narrow, long epochNanos) {
    List<String> cols = narrow.schema().getFields().stream().map(f -> f.getName()).toList();
    List<dev.lancetorch.FragmentInfo> frags = narrow.fragments();
    long rows = frags.stream().mapToLong(dev.lancetorch.FragmentInfo::numRows).sum();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      long[] byParts = new long[5];
      double[] cpuPerWall = new double[5];
      for (int parts : new int[] {1, 2, 4}) {
        Runnable read = () -> scanInParts(narrow, cols, frags, parts, pool);
        byParts[parts] = Measure.medianNanos(reps, () -> Measure.time(read));
        cpuPerWall[parts] =
            Measure.cpuPerWall(
                () -> {
                  for (int r = 0; r < reps; r++) {
                    read.run();
                  }
                });
      }
      for (int parts : new int[] {1, 2, 4}) {
        report.rate(
            "loader",
            parts == 1
                ? "the epoch's covering rows as one Lance scan (rows + addresses, no merge)"
                : "the same rows as " + parts + " concurrent range scans (vs one scan)",
            rows,
            byParts[parts],
            16,
            parts == 1 ? null : byParts[1]);
        report.add(
            "loader",
            "  process CPU / wall of those scans, " + parts + (parts == 1 ? " scan" : " scans"),
            String.format("%.2f", cpuPerWall[parts]),
            "cores busy",
            "of " + Runtime.getRuntime().availableProcessors() + " cores",
            "");
      }
      report.add(
          "loader",
          "a shuffled epoch (1 worker, steady state) vs one scan of its covering rows",
          String.format("%.1f ms", epochNanos / 1e6),
          "",
          String.format("scan %.1f ms", byParts[1] / 1e6),
          String.format("%.2f× the scan's time", epochNanos / (double) byParts[1]));
    } finally {
      pool.shutdownNow();
    }
  }

  /** Scans every live row of {@code frags} with row addresses, each fragment in {@code parts}. */
  private static void scanInParts(
      Table t,
      List<String> cols,
      List<dev.lancetorch.FragmentInfo> frags,
      int parts,
      java.util.concurrent.ExecutorService pool) {
    List<java.util.concurrent.Future<?>> running = new ArrayList<>();
    for (dev.lancetorch.FragmentInfo f : frags) {
      for (int k = 0; k < parts; k++) {
        long from = f.numRows() * k / parts;
        long to = f.numRows() * (k + 1) / parts;
        running.add(
            pool.submit(
                () -> {
                  try (TorchScan s =
                      TorchScan.open(
                          t.query()
                              .select(cols)
                              .withRowAddress(true)
                              .fragmentIds(List.of(f.id()))
                              .offset(from)
                              .limit(to - from)
                              .batchSize(1 << 16))) {
                    TorchBatch b;
                    while ((b = s.next()) != null) {
                      b.close();
                    }
                  }
                }));
      }
    }
    for (java.util.concurrent.Future<?> r : running) {
      try {
        r.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  /** {@code epochs} epochs back to back on one loader (the next one's read starts early). */
  private static void drainLoader(Permutation<Tensor> p, int bs, int workers, int epochs) {
    drainLoader(p, bs, workers, epochs, false);
  }

  private static void drainLoader(
      Permutation<Tensor> p, int bs, int workers, int epochs, boolean persistent) {
    try (DataLoader<Tensor> l =
        DataLoader.builder(p)
            .batchSize(bs)
            .numWorkers(workers)
            .persistentWorkers(persistent)
            .build()) {
      for (int e = 0; e < epochs; e++) {
        for (Tensor t : l) {
          t.close();
        }
      }
    }
  }

  // ---- 6. soak: 50 epochs over 100k rows ----

  private void soak(Connection db) {
    try (Table t = BenchData.openOrCreate(db, "soak", 100_000, true)) {
      Permutation<dev.lancetorch.permutation.TensorDict> p =
          Permutation.identity(t).withFormat(Format.TORCH_DICT).withMemoryCache(64L << 20);
      long rssAfterFirst = 0;
      long t0 = System.nanoTime();
      try (p;
          DataLoader<dev.lancetorch.permutation.TensorDict> l =
              DataLoader.builder(p).batchSize(1024).shuffle(true).seed(5).numWorkers(2).build()) {
        for (int epoch = 0; epoch < 50; epoch++) {
          for (dev.lancetorch.permutation.TensorDict d : l) {
            d.close();
          }
          if (epoch == 0) {
            System.gc();
            rssAfterFirst = Measure.rssKb();
          }
        }
      }
      System.gc();
      long rssEnd = Measure.rssKb();
      report.add(
          "soak",
          "50 epochs × 100k rows, 2 workers, TORCH_DICT, shuffled (cache rebuilt per epoch)",
          String.format("%.1f", (System.nanoTime() - t0) / 1e9),
          "s",
          String.format(
              "RSS after epoch 1: %d MiB, after 50: %d MiB", rssAfterFirst / 1024, rssEnd / 1024),
          String.format("growth %+d MiB (goal ≤ 32 MiB)", (rssEnd - rssAfterFirst) / 1024));
      report.add(
          "soak",
          "Arrow allocator after close",
          Long.toString(allocator.getAllocatedMemory()),
          "bytes",
          "live native batches: " + dev.lancetorch.torch.BridgeStats.snapshot().liveBatches(),
          "goal 0");
    }
  }

  // ---- 5. permutation builds ----

  private void builds(Table narrow, Table wide) {
    for (Table t : List.of(narrow, wide)) {
      long n = t.countRows();
      long ns =
          Measure.medianNanos(
              reps,
              () ->
                  Measure.time(
                      () -> {
                        try (Table perm =
                            Permutation.builder(t)
                                .splitRandom(SplitSizes.ratios(0.8, 0.2), 1)
                                .shuffle(2)
                                .execute()) {
                          if (perm.countRows() != n) {
                            throw new IllegalStateException("permutation lost rows");
                          }
                        }
                      }));
      report.add(
          "build",
          String.format("random split 80/20 + shuffle, %,d rows (execute)", n),
          String.format("%.3f", ns / 1e9),
          "s",
          "",
          "");
    }
  }

  // ---- variable-length columns (issue 15): tokens, padding, packing, image decoding ----

  private void variableLength() throws IOException {
    new VariableLengthBench(report, reps, 100_000, 64, 10_000).run(allocator);
  }

  /** Results table + chart. */
  static final class Report {
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> chartNames = new ArrayList<>();
    private final List<Double> chartValues = new ArrayList<>();

    void add(
        String section, String what, String value, String unit, String baseline, String ratio) {
      rows.add(new String[] {section, what, value, unit, baseline, ratio});
      System.out.printf(
          "%-9s %-70s %12s %-9s %s %s%n", section, what, value, unit, baseline, ratio);
    }

    /** A throughput line; {@code baselineNanos} (same rows) gives a speed ratio. */
    void rate(
        String section,
        String what,
        long rows,
        long nanos,
        double bytesPerRow,
        Long baselineNanos) {
      double secs = nanos / 1e9;
      double mrows = rows / secs / 1e6;
      add(
          section,
          what,
          String.format("%.2f", mrows),
          "M rows/s",
          String.format("%.2f GB/s", rows * bytesPerRow / secs / 1e9),
          baselineNanos == null
              ? ""
              : String.format("%.2f× of baseline", (double) baselineNanos / nanos));
      chart(what.length() > 40 ? what.substring(0, 40) + "…" : what, mrows);
    }

    void chart(String name, double mrows) {
      if (!(mrows > 0)) {
        return; // a log axis cannot show it; the table still does
      }
      chartNames.add(name);
      chartValues.add(mrows);
    }

    void write(Path dir, String machine) throws IOException {
      Files.createDirectories(dir);
      StringBuilder md = new StringBuilder();
      md.append("# Benchmarks\n\n")
          .append("Generated by `make bench` (`dev.lancetorch.bench.Bench`) on ")
          .append(java.time.LocalDate.now())
          .append(".\n\nMachine: ")
          .append(machine)
          .append(
              ".\n\n"
                  + "Every figure is the median of ≥ 3 runs after warm-up runs, all measured in one"
                  + " run of the")
          .append(
              " program; every ratio compares two figures of this same run (LanceDB's reader: its"
                  + " official Node")
          .append(
              " package, run by the same program on the same tables). Absolute figures vary ~2×"
                  + " between runs on")
          .append(" a shared machine; the ratios are what to read.\n\n")
          .append("| section | measurement | value | unit | baseline / detail | ratio |\n")
          .append("|---|---|---:|---|---|---|\n");
      for (String[] r : rows) {
        md.append("| ").append(String.join(" | ", r)).append(" |\n");
      }
      if (chartValues.isEmpty()) { // the selected sections measured no throughput: no chart
        Files.writeString(dir.resolve("benchmarks.md"), md.toString());
        System.out.println("wrote " + dir.resolve("benchmarks.md") + " (no throughput lines)");
        return;
      }
      md.append("\n![throughput chart](benchmarks.png)\n");
      Files.writeString(dir.resolve("benchmarks.md"), md.toString());
      org.knowm.xchart.CategoryChart chart =
          new org.knowm.xchart.CategoryChartBuilder()
              .width(1400)
              .height(800)
              .title("lance-torch read throughput (" + java.time.LocalDate.now() + ")")
              .xAxisTitle("")
              .yAxisTitle("M rows/s")
              .build();
      chart.getStyler().setXAxisLabelRotation(60);
      chart.getStyler().setLegendVisible(false);
      chart.addSeries("M rows/s", chartNames, chartValues);
      org.knowm.xchart.BitmapEncoder.saveBitmap(
          chart,
          dir.resolve("benchmarks").toString(),
          org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
      System.out.println(
          "wrote " + dir.resolve("benchmarks.md") + " and " + dir.resolve("benchmarks.png"));
    }
  }
}
