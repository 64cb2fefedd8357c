package dev.lancetorch;

import dev.lancetorch.internal.arrow.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.lance.ipc.LanceScanner;

/**
 * Prints the cost of {@link SafeTake} (a scan filtered on {@code _rowid IN (…)}, which reports
 * corrupted files as exceptions) next to Lance's own take (which aborts the JVM on them), measured
 * side by side in one run on 1M rows in 4 fragments, best of 5 per size. Run: {@code make build &&
 * mvn -q test-compile && java --add-opens=java.base/java.nio=ALL-UNNAMED -cp
 * bench/target/classes:$(cat bench/target/classpath.txt) dev.lancetorch.TakePathBench}.
 */
public final class TakePathBench {
  private TakePathBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("take-path-bench");
    Schema schema =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Int(64, true)),
                Field.notNullable(
                    "x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
    try (RootAllocator allocator = new RootAllocator();
        Connection db =
            LanceDb.connect(
                dir.toString(), ConnectOptions.builder().allocator(allocator).build())) {
      Table t = null;
      for (int f = 0; f < 4; f++) {
        try (VectorSchemaRoot r = VectorSchemaRoot.create(schema, allocator)) {
          BigIntVector id = (BigIntVector) r.getVector(0);
          Float8Vector x = (Float8Vector) r.getVector(1);
          for (int i = 0; i < 250_000; i++) {
            id.setSafe(i, f * 250_000L + i);
            x.setSafe(i, i * 0.5);
          }
          r.setRowCount(250_000);
          if (t == null) {
            t = db.createTable("t", r);
          } else {
            t.add(r);
          }
        }
      }
      Random rnd = new Random(1);
      System.out.println("rows   Lance take ms   filtered scan ms   ratio");
      try (Snapshot.Lease lease = t.lease()) {
        Snapshot snap = lease.snapshot();
        for (int n : new int[] {1, 1024, 16384}) {
          long take = Long.MAX_VALUE;
          long scan = Long.MAX_VALUE;
          for (int rep = 0; rep < 5; rep++) {
            TreeSet<Long> set = new TreeSet<>();
            while (set.size() < n) {
              set.add(((long) rnd.nextInt(4) << 32) | rnd.nextInt(250_000));
            }
            long[] addrs = set.stream().mapToLong(Long::longValue).toArray();
            long t0 = System.nanoTime();
            long a = rows(snap.dataset.takeRows(new ArrayList<>(set), List.of("id", "x")));
            long t1 = System.nanoTime();
            long b;
            try (LanceScanner s = SafeTake.open(snap, addrs, List.of("id", "x"), allocator)) {
              b = rows(s.scanBatches());
            }
            long t2 = System.nanoTime();
            if (a != n || b != n) {
              throw new IllegalStateException("rows " + a + " / " + b + " for " + n);
            }
            take = Math.min(take, t1 - t0);
            scan = Math.min(scan, t2 - t1);
          }
          System.out.printf(
              "%5d   %13.2f   %16.2f   %5.2f%n", n, take / 1e6, scan / 1e6, (double) scan / take);
        }
      }
      t.close();
    }
  }

  private static long rows(ArrowReader reader) throws Exception {
    long n = 0;
    try (reader) {
      while (reader.loadNextBatch()) {
        n += reader.getVectorSchemaRoot().getRowCount();
      }
    }
    return n;
  }
}
