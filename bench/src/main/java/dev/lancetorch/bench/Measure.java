package dev.lancetorch.bench;

import java.util.Arrays;
import java.util.function.LongSupplier;

/** Repeats a measurement and reports its median. */
final class Measure {
  private Measure() {}

  /**
   * Runs {@code run} (which returns elapsed nanoseconds) {@code reps} times after two warm-ups
   * (JIT); median ns.
   */
  static long medianNanos(int reps, LongSupplier run) {
    run.getAsLong();
    run.getAsLong();
    long[] t = new long[reps];
    for (int i = 0; i < reps; i++) {
      t[i] = run.getAsLong();
    }
    Arrays.sort(t);
    return t[reps / 2];
  }

  /** The median of {@code values}. */
  static double median(java.util.List<Long> values) {
    long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
    return v.length == 0 ? Double.NaN : v[v.length / 2];
  }

  /** Times {@code r} in nanoseconds. */
  static long time(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return System.nanoTime() - t0;
  }

  /**
   * Runs {@code r} once; this process's CPU time over the wall time it took (cores kept busy on
   * average).
   */
  static double cpuPerWall(Runnable r) {
    long[] cw = cpuAndWall(r);
    return cw[0] / (double) cw[1];
  }

  /** Keeps one thread per core busy for {@code millis} ms (a reference for "all cores busy"). */
  static void spin(long millis) {
    int n = Runtime.getRuntime().availableProcessors();
    long end = System.nanoTime() + millis * 1_000_000;
    java.util.concurrent.atomic.AtomicLong sink = new java.util.concurrent.atomic.AtomicLong();
    Thread[] threads = new Thread[n];
    for (int i = 0; i < n; i++) {
      threads[i] =
          new Thread(
              () -> {
                long x = 0;
                while (System.nanoTime() < end) {
                  for (int k = 0; k < 10_000; k++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                  }
                }
                sink.addAndGet(x);
              });
      threads[i].start();
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * CPU time (clock ticks) of every live thread of this process, summed by name with digits dropped
   * ({@code lancetorch-read-N}), from {@code /proc/self/task/N/stat}; empty where there is no
   * {@code /proc}. Threads that ended are not counted.
   */
  static java.util.Map<String, Long> threadCpuTicks() {
    java.util.Map<String, Long> m = new java.util.TreeMap<>();
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    for (java.io.File t : tasks == null ? new java.io.File[0] : tasks) {
      try {
        String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        m.merge(
            name.replaceAll("[0-9]+", "N"),
            Long.parseLong(f[11]) + Long.parseLong(f[12]),
            Long::sum);
      } catch (java.io.IOException | RuntimeException e) {
        // the thread ended meanwhile
      }
    }
    return m;
  }

  /** The thread groups' CPU between two {@link #threadCpuTicks} snapshots, in cores busy. */
  static String cpuByThread(
      java.util.Map<String, Long> before, java.util.Map<String, Long> after, long wallNanos) {
    double tick = 1e9 / 100; // USER_HZ
    StringBuilder b = new StringBuilder();
    after.entrySet().stream()
        .map(
            e ->
                java.util.Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() * tick / wallNanos >= 0.01)
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .forEach(
            e ->
                b.append(b.length() == 0 ? "" : ", ")
                    .append(e.getKey())
                    .append(String.format(" %.2f", e.getValue() * tick / wallNanos)));
    return b.toString();
  }

  /** Runs {@code r} once: this process's CPU time and the wall time, in nanoseconds. */
  static long[] cpuAndWall(Runnable r) {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long wall = time(r);
    return new long[] {os.getProcessCpuTime() - cpu0, wall};
  }

  /** Resident set size and its peak, in MiB, from /proc/self/status. */
  static String rss() {
    try {
      long rss = 0;
      long hwm = 0;
      for (String line :
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("\\D", ""));
        } else if (line.startsWith("VmHWM:")) {
          hwm = Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
      return String.format("RSS %d MiB (peak %d MiB)", rss / 1024, hwm / 1024);
    } catch (java.io.IOException e) {
      return "RSS unknown";
    }
  }

  /** Resident set size in KiB. */
  static long rssKb() {
    try {
      for (String line :
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return -1;
  }

  static String machine() {
    String cpu = "unknown cpu";
    try {
      cpu =
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse(cpu);
    } catch (java.io.IOException ignored) {
      // keep "unknown cpu"
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return String.format(
        "%s, %d cores, %.0f GiB RAM, %s %s, Java %s",
        cpu,
        Runtime.getRuntime().availableProcessors(),
        os.getTotalMemorySize() / (1024.0 * 1024 * 1024),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("java.version"));
  }
}
