package dev.lancetorch.bench;

import dev.lancetorch.threads.ThreadBudget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code make demo} itself (its default job, 3 epochs, without the test evaluations: they are not
 * part of the training throughput and take minutes under the oversubscribed settings) under several
 * thread settings, each in its own JVM (the native libraries read their thread variables once, at
 * start), round-robin, {@code --reps} times; prints each setting's median training throughput (the
 * demo's own {@code RESULT} line: training rows over training time, model steps included) and its
 * ratio to the best setting of this run. The settings: the {@link ThreadBudget} default (the demo's
 * defaults, nothing set), and with the budget off ({@code -Dlancetorch.threads=off}, every
 * library's own default) under {@code OMP_NUM_THREADS} / {@code OPENBLAS_NUM_THREADS} combinations,
 * with the budget's recommended loader workers.
 *
 * <p>Flags: {@code --reps N} (3), {@code --max-seconds S} (8: an epoch stops after S seconds, which
 * only the oversubscribed settings reach: on 2 cores "library defaults" trains ~50× slower and
 * would otherwise take minutes per run), {@code --db PATH} (the demo's database, default {@code
 * data/lancedb}). Used by {@link Bench} (section "threads") and runnable alone.
 */
public final class DemoThreadsBench {
  private static final Pattern RESULT = Pattern.compile("training throughput (\\d+) rows/s");

  /** One setting: a name, extra JVM flags and environment variables. */
  record Setting(String name, List<String> jvmFlags, Map<String, String> env) {}

  /** One setting's result. */
  record Result(Setting setting, double medianRowsPerSec, double[] runs) {}

  private DemoThreadsBench() {}

  public static void main(String[] args) throws Exception {
    int reps = 3;
    double maxSeconds = 8;
    Path db = Path.of("data/lancedb");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--reps" -> reps = Integer.parseInt(args[i + 1]);
        case "--max-seconds" -> maxSeconds = Double.parseDouble(args[i + 1]);
        case "--db" -> db = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    List<Result> results = run(reps, maxSeconds, db);
    double best = best(results);
    for (Result r : results) {
      System.out.printf(
          "%-58s %8.0f rows/s  %.2f× of best  runs %s%n",
          r.setting.name, r.medianRowsPerSec, r.medianRowsPerSec / best, Arrays.toString(r.runs));
    }
  }

  static double best(List<Result> results) {
    return results.stream().mapToDouble(Result::medianRowsPerSec).max().orElse(Double.NaN);
  }

  /** The settings for this machine's cores. */
  static List<Setting> settings() {
    int cores = Runtime.getRuntime().availableProcessors();
    String c = Integer.toString(cores);
    List<Setting> s = new ArrayList<>();
    s.add(new Setting("thread budget (default)", List.of(), Map.of()));
    List<String> off = List.of("-D" + ThreadBudget.PROPERTY + "=off");
    s.add(new Setting("budget off: library defaults", off, Map.of()));
    s.add(new Setting("budget off, OMP_NUM_THREADS=1", off, Map.of("OMP_NUM_THREADS", "1")));
    s.add(
        new Setting(
            "budget off, OPENBLAS_NUM_THREADS=1", off, Map.of("OPENBLAS_NUM_THREADS", "1")));
    if (cores
        > 2) { // on 2 cores these measured ~0.03× of the best (as slow as OPENBLAS_NUM_THREADS=1
      // alone)
      s.add(
          new Setting(
              "budget off, OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=" + c,
              off,
              Map.of("OMP_NUM_THREADS", "1", "OPENBLAS_NUM_THREADS", c)));
      s.add(
          new Setting(
              "budget off, OMP_NUM_THREADS=" + c + " OPENBLAS_NUM_THREADS=1",
              off,
              Map.of("OMP_NUM_THREADS", c, "OPENBLAS_NUM_THREADS", "1")));
    }
    return s;
  }

  /** Runs every setting {@code reps} times, round-robin. */
  static List<Result> run(int reps, double maxSeconds, Path db)
      throws IOException, InterruptedException {
    List<Setting> settings = settings();
    int workers = ThreadBudget.forCores(Runtime.getRuntime().availableProcessors()).loaderWorkers();
    Map<Setting, double[]> runs = new LinkedHashMap<>();
    settings.forEach(s -> runs.put(s, new double[reps]));
    // one untimed run first: builds the demo table if needed and warms the page cache
    runOnce(settings.get(0), 1, workers, db);
    for (int r = 0; r < reps; r++) {
      for (Setting s : settings) {
        runs.get(s)[r] = runOnce(s, maxSeconds, workers, db);
        System.out.printf("threads   run %d %-58s %8.0f rows/s%n", r + 1, s.name, runs.get(s)[r]);
      }
    }
    List<Result> out = new ArrayList<>();
    runs.forEach(
        (s, t) -> {
          double[] sorted = t.clone();
          Arrays.sort(sorted);
          out.add(new Result(s, sorted[sorted.length / 2], t));
        });
    return out;
  }

  private static double runOnce(Setting s, double maxSeconds, int workers, Path db)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Xss4m",
                "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"));
    cmd.addAll(s.jvmFlags);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.lancetorch.demo.Demo",
            "--no-progress",
            "--no-eval",
            "--max-seconds",
            Double.toString(maxSeconds),
            "--db",
            db.toString()));
    if (!s.name.equals("thread budget (default)")) {
      cmd.addAll(List.of("--workers", Integer.toString(workers)));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    for (String v :
        List.of(
            "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS",
            "LANCE_CPU_THREADS",
            "TOKIO_WORKER_THREADS")) {
      pb.environment().remove(v);
    }
    pb.environment().putAll(s.env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    Matcher m = RESULT.matcher(out);
    if (rc != 0 || !m.find()) {
      throw new IllegalStateException(
          "demo run '" + s.name + "' failed (exit " + rc + "):\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }
}
