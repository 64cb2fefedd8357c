package dev.lancetorch.internal.jni;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread budget's policy, overrides and process-wide state, below the public {@code
 * dev.lancetorch.threads.ThreadBudget} (a record with the same components that converts to and from
 * this one): what {@link NativeLoader#load()} applies before and after libtorch loads, and what the
 * read planner's pool ({@code ReadThreads}) sizes itself from. The policy and the overrides are
 * documented on {@code ThreadBudget}.
 */
public record ThreadCounts(
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
  private static ThreadCounts configured;
  private static ThreadCounts applied;
  private static boolean off;

  /** Validates the counts. */
  public ThreadCounts {
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
  public static ThreadCounts forCores(int cores) {
    positive("cores", cores);
    int workers = Math.max(1, Math.min(4, cores / 4));
    int torch = Math.max(1, cores - workers - cores / 8);
    int rest = Math.max(1, cores - torch);
    return new ThreadCounts(
        cores, torch, 1, torch, workers, 2 * cores, rest, Math.max(2, rest), 0, "policy");
  }

  /**
   * The policy for the cores of this machine with the overrides of the class docs applied.
   *
   * @param property system property lookup ({@code System::getProperty})
   * @param env environment lookup ({@code System::getenv})
   */
  public static ThreadCounts resolve(UnaryOperator<String> property, UnaryOperator<String> env) {
    String cores = property.apply(PROPERTY + ".cores");
    ThreadCounts p =
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
    return new ThreadCounts(
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
   * Chooses the budget to apply instead of {@link #resolve}d defaults.
   *
   * @return false (and nothing chosen) if a budget was already applied or the budget is off
   */
  public static synchronized boolean configure(ThreadCounts budget) {
    if (applied != null || off) {
      return false;
    }
    configured = budget;
    return true;
  }

  /**
   * The budget in force, or null if none was applied (natives not loaded yet, or {@code
   * -Dlancetorch.threads=off}).
   */
  public static synchronized ThreadCounts current() {
    return applied;
  }

  /**
   * Step 1, from {@link NativeLoader#load()} after the JNI library and before libtorch: environment
   * variables.
   */
  static synchronized void applyEnvironment() {
    if (applied != null || off) {
      return;
    }
    if ("off".equalsIgnoreCase(System.getProperty(PROPERTY))) {
      off = true;
      return;
    }
    ThreadCounts b = configured != null ? configured : resolve(System::getProperty, System::getenv);
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
   * Step 2, from {@link NativeLoader#load()} once libtorch is loaded: torch's and OpenBLAS's own
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

  /** The budget as the loader logs it once, with torch's and OpenBLAS's thread counts now. */
  public String describeApplied() {
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
}
