package dev.lancetorch.bench;

import dev.lancetorch.loader.BatchSource;
import dev.lancetorch.loader.DataLoader;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Loader overhead against iterating the source directly, with an in-memory source whose fetch costs
 * a simulated {@code fetchMicros} of busy CPU per batch. Prints the median (and min) of {@code
 * reps} runs, and the median's difference to direct iteration per batch (negative: the workers'
 * parallel fetching wins). The loader's time includes planning the epoch (sampler + batching) and
 * starting its worker threads.
 *
 * <p>Run: {@code make build && java -cp bench/target/classes:$(cat bench/target/classpath.txt)
 * dev.lancetorch.bench.LoaderOverheadBench [rows] [batchSize] [reps]}
 */
public final class LoaderOverheadBench {
  private LoaderOverheadBench() {}

  /**
   * Row ids as {@code long[]} batches; each fetch costs {@code fetchMicros}: busy CPU ({@code io ==
   * false}) or a wait that uses no CPU, like I/O ({@code io == true}).
   */
  static final class SpinSource implements BatchSource<long[]> {
    private final long rows;
    private final long fetchMicros;
    private final boolean io;

    SpinSource(long rows, long fetchMicros, boolean io) {
      this.rows = rows;
      this.fetchMicros = fetchMicros;
      this.io = io;
    }

    @Override
    public long numRows() {
      return rows;
    }

    @Override
    public long[] takeOffsets(long[] offsets) {
      long end = System.nanoTime() + fetchMicros * 1000;
      if (io && fetchMicros > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(fetchMicros * 1000);
      }
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      return offsets.clone();
    }

    @Override
    public BatchSource<long[]> reopen() {
      return new SpinSource(rows, fetchMicros, io);
    }

    @Override
    public void close() {}
  }

  static long direct(SpinSource src, int batchSize) {
    long sum = 0;
    for (long from = 0; from < src.numRows(); from += batchSize) {
      long to = Math.min(src.numRows(), from + batchSize);
      long[] offsets = new long[(int) (to - from)];
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = from + i;
      }
      sum += src.takeOffsets(offsets)[0];
    }
    return sum;
  }

  static long viaLoader(SpinSource src, int batchSize, int workers) {
    long sum = 0;
    try (DataLoader<long[]> loader =
        DataLoader.builder(src)
            .batchSize(batchSize)
            .numWorkers(workers)
            .prefetchFactor(4)
            .build()) {
      for (long[] b : loader) {
        sum += b[0];
      }
    }
    return sum;
  }

  /** {median, min} in ms over {@code reps} timed runs after one warm-up run. */
  static double[] millis(int reps, LongSupplier run) {
    double[] t = new double[reps];
    long blackhole = 0;
    run.getAsLong(); // warm-up
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      blackhole += run.getAsLong();
      t[i] = (System.nanoTime() - t0) / 1e6;
    }
    if (blackhole == 42) {
      System.out.print("");
    }
    Arrays.sort(t);
    return new double[] {t[reps / 2], t[0]};
  }

  public static void main(String[] args) {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    long batches = (rows + batchSize - 1) / batchSize;
    System.out.printf(
        "rows=%d batchSize=%d batches=%d reps=%d cores=%d load=%.2f (median ms; overhead per batch"
            + " vs direct)%n",
        rows,
        batchSize,
        batches,
        reps,
        Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    for (String mode : new String[] {"cpu", "io"}) {
      runMode(mode, rows, batchSize, reps, batches);
    }
  }

  private static void runMode(String mode, long rows, int batchSize, int reps, long batches) {
    for (long fetchMicros : mode.equals("cpu") ? new long[] {0, 50, 200} : new long[] {200, 1000}) {
      SpinSource src = new SpinSource(rows, fetchMicros, mode.equals("io"));
      double[] direct = millis(reps, () -> direct(src, batchSize));
      System.out.printf(
          "%-3s fetch %4d us/batch: direct %7.1f ms (min %7.1f)",
          mode, fetchMicros, direct[0], direct[1]);
      for (int workers : new int[] {0, 1, 2}) {
        double[] t = millis(reps, () -> viaLoader(src, batchSize, workers));
        System.out.printf(
            " | %d workers %7.1f ms (min %7.1f, %+6.1f us/batch)",
            workers, t[0], t[1], (t[0] - direct[0]) * 1000 / batches);
      }
      System.out.println();
    }
  }
}
