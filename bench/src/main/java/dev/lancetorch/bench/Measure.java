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
