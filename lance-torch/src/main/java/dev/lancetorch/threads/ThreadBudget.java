package dev.lancetorch.threads;

import dev.lancetorch.internal.jni.NativeLoader;
import dev.lancetorch.internal.jni.ThreadCounts;
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
 * <p><b>When it applies.</b> Once per process, when {@link
 * dev.lancetorch.torch.NativeLibrary#load()} runs (which {@code LanceDb.connect} does first): the
 * environment variables the native libraries read at start are set with {@code setenv} after
 * lance-torch's JNI library is loaded and <em>before</em> libtorch, OpenBLAS and Lance's runtime
 * start (Java cannot set environment variables; Lance reads {@code LANCE_CPU_THREADS}, {@code
 * TOKIO_WORKER_THREADS} and {@code LANCE_IO_THREADS} when its runtime is first used); then torch's
 * {@code at::set_num_threads}/{@code set_num_interop_threads} and OpenBLAS's {@code
 * openblas_set_num_threads} are called. The loader logs the budget once when the first {@link
 * dev.lancetorch.loader.DataLoader} is built (logger {@code dev.lancetorch.threads}). The loader's
 * worker count is the caller's {@code numWorkers}; the budget's {@link #loaderWorkers()} is the
 * recommended value (the demo's default), and the log warns when the chosen workers plus torch
 * threads exceed the cores.
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
  public static final String PROPERTY = ThreadCounts.PROPERTY;

  private static final Logger LOG = LoggerFactory.getLogger("dev.lancetorch.threads");
  private static boolean logged;

  /** Validates the counts. */
  public ThreadBudget {
    source =
        new ThreadCounts(
                cores,
                torchThreads,
                interopThreads,
                openblasThreads,
                loaderWorkers,
                readThreads,
                lanceCpuThreads,
                lanceTokioThreads,
                lanceIoThreads,
                source)
            .source();
  }

  private static ThreadBudget of(ThreadCounts c) {
    return c == null
        ? null
        : new ThreadBudget(
            c.cores(),
            c.torchThreads(),
            c.interopThreads(),
            c.openblasThreads(),
            c.loaderWorkers(),
            c.readThreads(),
            c.lanceCpuThreads(),
            c.lanceTokioThreads(),
            c.lanceIoThreads(),
            c.source());
  }

  private ThreadCounts counts() {
    return new ThreadCounts(
        cores,
        torchThreads,
        interopThreads,
        openblasThreads,
        loaderWorkers,
        readThreads,
        lanceCpuThreads,
        lanceTokioThreads,
        lanceIoThreads,
        source);
  }

  /** The policy for {@code cores} cores, without overrides (see the class docs). */
  public static ThreadBudget forCores(int cores) {
    return of(ThreadCounts.forCores(cores));
  }

  /**
   * The policy for the cores of this machine with the overrides of the class docs applied.
   *
   * @param property system property lookup ({@code System::getProperty})
   * @param env environment lookup ({@code System::getenv})
   */
  public static ThreadBudget resolve(UnaryOperator<String> property, UnaryOperator<String> env) {
    return of(ThreadCounts.resolve(property, env));
  }

  /**
   * Chooses the budget to apply instead of {@link #resolve}d defaults; must run before the native
   * libraries load (before the first {@code LanceDb.connect} or tensor), since Lance and OpenMP
   * read their counts once.
   *
   * @throws IllegalStateException if a budget was already applied
   */
  public static void configure(ThreadBudget budget) {
    Objects.requireNonNull(budget, "budget");
    if (!ThreadCounts.configure(budget.counts())) {
      throw new IllegalStateException(
          "the thread budget was already applied ("
              + describe(current())
              + "); configure it before the first LanceDb.connect or native call");
    }
  }

  /**
   * The budget in force, or null if none was applied (natives not loaded yet, or {@code
   * -Dlancetorch.threads=off}).
   */
  public static ThreadBudget current() {
    return of(ThreadCounts.current());
  }

  /**
   * Loads the native libraries (which applies the budget) if that can be done; without them (no JNI
   * library built) logs a warning and leaves every pool at its library's default.
   *
   * @return the budget in force, or null
   */
  public static ThreadBudget install() {
    try {
      NativeLoader.load();
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
    LOG.info(b.counts().describeApplied());
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

  private static String describe(ThreadBudget b) {
    return b == null ? "off" : b.toString();
  }
}
