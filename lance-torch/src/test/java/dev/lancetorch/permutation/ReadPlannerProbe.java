package dev.lancetorch.permutation;

import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.torch.TorchBatch;
import dev.lancetorch.torch.TorchScan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Prints the read planner's throughput on the LanceDB peer's reference tables (not a test):
 * shuffled and clump-64 permutations (the peer's {@code bench_shuffle} / {@code bench_clump64}) as
 * {@code TORCH_DICT} batches with the planner, with read-ahead off (one take per batch), with the
 * memory cache, and a raw native scan of the same columns; process CPU time next to wall time.
 * Medians of {@code runs}.
 *
 * <pre>
 * cp -r ../shared/lancedb-peer target/lancedb-peer &amp;&amp; (cd target/lancedb-peer &amp;&amp; \
 *   npm install --omit=optional \
 *   &amp;&amp; node make_reference.mjs ../lancedb-ref --force &amp;&amp; node bench.mjs \
 *     ../lancedb-ref --modes shuffle,clump64)
 * mvn -q -pl lance-torch dependency:build-classpath -DincludeScope=test \
 *   -Dmdep.outputFile=target/test-classpath.txt
 * java --add-opens=java.base/java.nio=ALL-UNNAMED \
 *   -cp lance-torch/target/test-classes:lance-torch/target/classes:$(cat \
 *   lance-torch/target/test-classpath.txt) \
 *   dev.lancetorch.permutation.ReadPlannerProbe target/lancedb-ref [runs] [takeLimitRows]
 * </pre>
 */
public final class ReadPlannerProbe {
  private ReadPlannerProbe() {}

  public static void main(String[] args) throws Exception {
    String dbDir = args.length > 0 ? args[0] : "target/lancedb-ref";
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long takeLimit = args.length > 2 ? Long.parseLong(args[2]) : 200_000;
    Map<String, List<String>> colsets =
        Map.of("cols4", List.of("x", "y", "z", "label"), "vec", List.of("vec"));
    try (Connection db = LanceDb.connect(dbDir);
        Connection pdb = LanceDb.connect(dbDir + "_bench_perms");
        Table numbers = db.openTable("numbers")) {
      System.out.printf(
          "| read | columns | batch | Mrows/s | cpu/wall | windows |%n|---|---|---|---|---|---|%n");
      for (String cs : List.of("cols4", "vec")) {
        List<String> cols = colsets.get(cs);
        for (int batch : new int[] {1024, 16384}) {
          String[] c = cols.toArray(new String[0]);
          probe("raw scan", cs, batch, runs, () -> scanRows(numbers, cols, batch));
          for (String perm : List.of("bench_shuffle", "bench_clump64")) {
            try (Table pt = pdb.openTable(perm)) {
              Permutation<TensorDict> p =
                  Permutation.fromTables(numbers, pt, 0)
                      .selectColumns(c)
                      .withFormat(Format.TORCH_DICT)
                      .withBatchSize(batch);
              probe(perm + " planner", cs, batch, runs, () -> drain(p));
              if (batch == 1024 || perm.equals("bench_shuffle")) {
                Permutation<TensorDict> takes = p.withReadAhead(0).withTake(takeLimit);
                probe(
                    perm + " take/batch (" + takeLimit + " rows)",
                    cs,
                    batch,
                    1,
                    () -> drain(takes));
              }
              if (perm.equals("bench_shuffle")) {
                try (Permutation<TensorDict> cached = p.withMemoryCache(1L << 30)) {
                  drain(cached); // load once
                  probe(perm + " memory cache", cs, batch, runs, () -> drain(cached));
                }
              }
            }
          }
        }
      }
    }
  }

  interface Read {
    long[] run() throws Exception; // rows, windows
  }

  static void probe(String what, String cs, int batch, int runs, Read r) throws Exception {
    List<double[]> res = new ArrayList<>();
    long windows = 0;
    for (int i = 0; i < runs; i++) {
      long cpu0 = cpuNanos();
      long t0 = System.nanoTime();
      long[] got = r.run();
      double s = (System.nanoTime() - t0) / 1e9;
      double cpu = (cpuNanos() - cpu0) / 1e9;
      windows = got[1];
      res.add(new double[] {got[0] / s / 1e6, cpu / s});
    }
    res.sort((a, b) -> Double.compare(a[0], b[0]));
    double[] med = res.get(res.size() / 2);
    System.out.printf(
        "| %s | %s | %d | %.2f | %.2f | %d |%n", what, cs, batch, med[0], med[1], windows);
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static long[] drain(Permutation<TensorDict> p) {
    long rows = 0;
    try (BatchIterator<TensorDict> it = p.iter(p.batchSize(), false)) {
      while (it.hasNext()) {
        try (TensorDict d = it.next()) {
          Tensor t = d.values().iterator().next();
          rows += t.size(0);
        }
      }
      return new long[] {rows, it.readStats().windows};
    }
  }

  static long[] scanRows(Table t, List<String> cols, int batch) {
    long rows = 0;
    try (TorchScan s = TorchScan.open(t.query().select(cols).batchSize(batch))) {
      for (TorchBatch b = s.next(); b != null; b = s.next()) {
        try (TorchBatch x = b;
            Tensor col = x.column(cols.get(0))) {
          rows += col.size(0);
        }
      }
    }
    return new long[] {rows, 0};
  }
}
