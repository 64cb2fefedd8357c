package dev.lancetorch.torch;

import dev.lancetorch.internal.jni.NativeBridge;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides how many threads each pool in the process gets: torch's intra-op
 * (OpenMP) and inter-op pools, OpenBLAS's pool, the loader's workers, the read planner's threads
 * and Lance's runtime (its tokio workers, its compute pool and its IO parallelism). Every pool
 * sized for all cores by itself oversubscribes a machine: on 2 cores torch's OpenMP pool and
 * OpenBLAS's pool spin against the loader's and Lance's threads and training runs ~10× slower (see
 * {@code docs/loader.md}, "Threads").
 *
 * <p><b>Policy</b> for {@code C} cores ({@link #forCores}): loader workers {@code W = clamp(C/4, 1,
 * 4)}; torch intra-op {@code T = max(1, C - W - C/8)}; OpenBLAS {@code T} (torch calls BLAS from
 * the same thread, one pool works at a time); torch inter-op 1; read planner threads {@code 2C}
 * (one pool shared by every loader worker, so a single worker's window reads use every core; they
 * block on Lance's IO and decoding about half of their time and never spin, so two per core keep
 * the cores busy without starving torch the way a spinning OpenMP pool does); Lance compute {@code
 * max(1, C - T)}; Lance tokio workers {@code max(2, C - T)}; Lance IO parallelism left to Lance (8
 * local, 64 object store). On 2 cores: W=1, T=1, OpenBLAS 1, read 4, Lance compute 1, tokio 2. On
 * 16: W=4, T=10, OpenBLAS 10, read 32, Lance compute 6, tokio 6.
 *
 * <p><b>Overrides</b>, strongest first: {@link #configure(ThreadBudget)} before the first
 * connection; system properties {@code lancetorch.threads.torch}, {@code .interop}, {@code
 * .openblas}, {@code .workers}, {@code .read}, {@code .lance.cpu}, {@code .lance.tokio}, {@code
 * .lance.io}, {@code .cores} (pretend this many cores); environment variables {@code
 * OMP_NUM_THREADS} (torch, and OpenBLAS when {@code OPENBLAS_NUM_THREADS} is unset, as OpenBLAS
 * itself reads them), {@code OPENBLAS_NUM_THREADS}, {@code LANCE_CPU_THREADS}, {@code
 * TOKIO_WORKER_THREADS}, {@code LANCE_IO_THREADS}. {@code -Dlancetorch.threads=off} applies nothing
 * (every library keeps its own default).
 *
 * <p><b>When it applies.</b> Once per process, when {@link NativeLibrary#load()} runs (which {@code
 * LanceDb.connect} does first): the environment variables the native libraries read at start are
 * set with {@code setenv} after lance-torch's JNI library is loaded and <em>before</em> libtorch,
 * OpenBLAS and Lance's runtime start (Java cannot set environment variables; Lance reads {@code
 * LANCE_CPU_THREADS}, {@code TOKIO_WORKER_THREADS} and {@code LANCE_IO_THREADS} when its runtime is
 * first used); then torch's {@code at::set_num_threads}/{@code set_num_interop_threads} and
 * OpenBLAS's {@code openblas_set_num_threads} are called. The loader logs the budget once when the
 * first {@link dev.lancetorch.loader.DataLoader} is built (logger {@code dev.lancetorch.threads}).
 * The loader's worker count is the caller's {@code numWorkers}; the budget's {@link
 * #loaderWorkers()} is the recommended value (the demo's default), and the log warns when the
 * chosen workers plus torch threads exceed the cores.
 *
 * @param cores the cores the budget is for
 * @param torchThreads torch intra-op threads
 * @param interopThreads torch inter-op threads
 * @param openblasThreads OpenBLAS threads
 * @param loaderWorkers recommended loader workers
 * @param readThreads the read planner's threads (fragment and range reads of a window in parallel;
 *     one pool for the process)
 * @param lanceCpuThreads Lance's compute pool ({@code LANCE_CPU_THREADS})
 * @param lanceTokioThreads Lance's tokio worker threads ({@code TOKIO_WORKER_THREADS})
 * @param lanceIoThreads Lance's IO parallelism ({@code LANCE_IO_THREADS}); 0 = Lance's default
 * @param source where each value came from, for the log (e.g. {@code torch=policy})
 */
public record ThreadBudget(
    int cores,
    int torchThreads,
    int interopThreads,
    int openblasThreads,
    int loaderWorkers,
    int readThreads,
    int lanceCpuThreads,
    int lanceTokioThreads,
    int lanceIoThreads,
    String source) {
  /** Prefix of the override system properties. */
  public static final String PROPERTY = "lancetorch.threads";

  private static final Logger LOG = LoggerFactory.getLogger("dev.lancetorch.threads");
  private static ThreadBudget configured;
  private static ThreadBudget applied;
  private static boolean off;
  private static boolean logged;

  /** Validates the counts. */
  public ThreadBudget {
    positive("cores", cores);
    positive("torchThreads", torchThreads);
    positive("interopThreads", interopThreads);
    positive("openblasThreads", openblasThreads);
    positive("loaderWorkers", loaderWorkers);
    positive("readThreads", readThreads);
    positive("lanceCpuThreads", lanceCpuThreads);
    positive("lanceTokioThreads", lanceTokioThreads);
    if (lanceIoThreads < 0) {
      throw new IllegalArgumentException(
          "lanceIoThreads must be >= 0 (0 = Lance's default), got " + lanceIoThreads);
    }
    source = Objects.requireNonNullElse(source, "given");
  }

  /** The policy for {@code cores} cores, without overrides (see the class docs). */
  public static ThreadBudget forCores(int cores) {
    positive("cores", cores);
    int workers = Math.max(1, Math.min(4, cores / 4));
    int torch = Math.max(1, cores - workers - cores / 8);
    int rest = Math.max(1, cores - torch);
    return new ThreadBudget(
        cores, torch, 1, torch, workers, 2 * cores, rest, Math.max(2, rest), 0, "policy");
  }

  /**
   * The policy for the cores of this machine with the overrides of the class docs applied.
   *
   * @param property system property lookup ({@code System::getProperty})
   * @param env environment lookup ({@code System::getenv})
   */
  public static ThreadBudget resolve(UnaryOperator<String> property, UnaryOperator<String> env) {
    String cores = property.apply(PROPERTY + ".cores");
    ThreadBudget p =
        forCores(
            cores == null
                ? Runtime.getRuntime().availableProcessors()
                : parse(PROPERTY + ".cores", cores));
    Map<String, String> src = new LinkedHashMap<>();
    int torch = pick(src, "torch", p.torchThreads, property, env, "OMP_NUM_THREADS");
    String ompForBlas =
        env.apply("OPENBLAS_NUM_THREADS") == null ? "OMP_NUM_THREADS" : "OPENBLAS_NUM_THREADS";
    int blas =
        pick(src, "openblas", p.openblasThreads, property, env, "OPENBLAS_NUM_THREADS", ompForBlas);
    int interop = pick(src, "interop", p.interopThreads, property, env);
    int workers = pick(src, "workers", p.loaderWorkers, property, env);
    int read = pick(src, "read", p.readThreads, property, env);
    int lanceCpu = pick(src, "lance.cpu", p.lanceCpuThreads, property, env, "LANCE_CPU_THREADS");
    int tokio =
        pick(src, "lance.tokio", p.lanceTokioThreads, property, env, "TOKIO_WORKER_THREADS");
    int io = pick(src, "lance.io", p.lanceIoThreads, property, env, "LANCE_IO_THREADS");
    List<String> parts = new ArrayList<>();
    src.forEach((k, v) -> parts.add(k + "=" + v));
    return new ThreadBudget(
        p.cores,
        torch,
        interop,
        blas,
        workers,
        read,
        lanceCpu,
        tokio,
        io,
        String.join(", ", parts));
  }

  private static int pick(
      Map<String, String> src,
      String key,
      int policy,
      UnaryOperator<String> property,
      UnaryOperator<String> env,
      String... envNames) {
    String prop = property.apply(PROPERTY + "." + key);
    if (prop != null) {
      src.put(key, "-D" + PROPERTY + "." + key);
      return parse(PROPERTY + "." + key, prop);
    }
    for (String name : envNames) {
      String v = env.apply(name);
      if (v != null && !v.isBlank()) {
        src.put(key, "$" + name);
        return parse(name, v);
      }
    }
    src.put(key, "policy");
    return policy;
  }

  private static int parse(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'", e);
    }
  }

  private static void positive(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + v);
    }
  }

  /**
   * Chooses the budget to apply instead of {@link #resolve}d defaults; must run before the native
   * libraries load (before the first {@code LanceDb.connect} or tensor), since Lance and OpenMP
   * read their counts once.
   *
   * @throws IllegalStateException if a budget was already applied
   */
  public static synchronized void configure(ThreadBudget budget) {
    Objects.requireNonNull(budget, "budget");
    if (applied != null || off) {
      throw new IllegalStateException(
          "the thread budget was already applied ("
              + describe(applied)
              + "); configure it before the first LanceDb.connect or native call");
    }
    configured = budget;
  }

  /**
   * The budget in force, or null if none was applied (natives not loaded yet, or {@code
   * -Dlancetorch.threads=off}).
   */
  public static synchronized ThreadBudget current() {
    return applied;
  }

  /**
   * Loads the native libraries (which applies the budget) if that can be done; without them (no JNI
   * library built) logs a warning and leaves every pool at its library's default.
   *
   * @return the budget in force, or null
   */
  public static ThreadBudget install() {
    try {
      NativeLibrary.load();
    } catch (UnsatisfiedLinkError e) {
      synchronized (ThreadBudget.class) {
        if (!logged) {
          logged = true;
          LOG.warn(
              "thread budget not applied (native library unavailable: "
                  + e.getMessage()
                  + "); torch, OpenBLAS and Lance keep their own thread counts");
        }
      }
    }
    return current();
  }

  /**
   * Step 1, from {@link NativeLibrary#load()} after the JNI library and before libtorch:
   * environment variables.
   */
  static synchronized void applyEnvironment() {
    if (applied != null || off) {
      return;
    }
    if ("off".equalsIgnoreCase(System.getProperty(PROPERTY))) {
      off = true;
      return;
    }
    ThreadBudget b = configured != null ? configured : resolve(System::getProperty, System::getenv);
    setenv("OMP_NUM_THREADS", b.torchThreads);
    setenv("OPENBLAS_NUM_THREADS", b.openblasThreads);
    setenv("LANCE_CPU_THREADS", b.lanceCpuThreads);
    setenv("TOKIO_WORKER_THREADS", b.lanceTokioThreads);
    if (b.lanceIoThreads > 0) {
      setenv("LANCE_IO_THREADS", b.lanceIoThreads);
    }
    applied = b;
  }

  private static void setenv(String name, int value) {
    NativeBridge.setenv(name, Integer.toString(value));
  }

  /**
   * Step 2, from {@link NativeLibrary#load()} once libtorch is loaded: torch's and OpenBLAS's own
   * setters.
   */
  static synchronized void applyToTorch() {
    if (applied == null) {
      return;
    }
    org.bytedeco.pytorch.global.torch.set_num_threads(applied.torchThreads);
    if (org.bytedeco.pytorch.global.torch.get_num_interop_threads() != applied.interopThreads) {
      try {
        org.bytedeco.pytorch.global.torch.set_num_interop_threads(applied.interopThreads);
      } catch (RuntimeException e) {
        // torch allows it once, before any inter-op work; someone used torch before lance-torch
        // loaded
        LOG.warn(
            "torch inter-op threads stay at "
                + org.bytedeco.pytorch.global.torch.get_num_interop_threads()
                + ": "
                + e.getMessage());
      }
    }
    NativeBridge.openblasThreads(applied.openblasThreads);
  }

  /**
   * Logs the budget once per process (the loader calls it when built), installing it first if
   * needed, and warns when {@code numWorkers} plus torch's threads exceed the cores.
   */
  public static void logOnce(int numWorkers) {
    ThreadBudget b = install();
    synchronized (ThreadBudget.class) {
      if (logged) {
        return;
      }
      logged = true;
    }
    if (b == null) {
      LOG.info("thread budget off (-D" + PROPERTY + "=off): library defaults");
      return;
    }
    LOG.info(b.describeApplied());
    if (numWorkers + b.torchThreads > b.cores) {
      LOG.warn(
          numWorkers
              + " loader workers + "
              + b.torchThreads
              + " torch threads exceed "
              + b.cores
              + " cores: busy workers take cores from torch (recommended "
              + b.loaderWorkers
              + " workers)");
    }
  }

  private String describeApplied() {
    int blas = NativeBridge.openblasThreads(0);
    return String.format(
        "thread budget for %d cores: torch %d intra-op (now %d) + %d inter-op, OpenBLAS %s, loader"
            + " workers %d recommended, read planner %d, Lance compute %d, tokio %d, IO %s [%s]",
        cores,
        torchThreads,
        org.bytedeco.pytorch.global.torch.get_num_threads(),
        interopThreads,
        blas < 0 ? "not found" : blas,
        loaderWorkers,
        readThreads,
        lanceCpuThreads,
        lanceTokioThreads,
        lanceIoThreads == 0 ? "Lance default" : Integer.toString(lanceIoThreads),
        source);
  }

  private static String describe(ThreadBudget b) {
    return b == null ? "off" : b.toString();
  }
}
