package dev.lancetorch.bench;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.RemoteFixtures;
import dev.lancetorch.S3Server;
import dev.lancetorch.Table;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.BatchIterator;
import dev.lancetorch.permutation.Permutation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Remote vs local reads of the same data (median of 3 after a warm-up), all on this machine: {@code
 * s3://} through an in-process S3Proxy on 127.0.0.1 vs a local directory, for a sequential
 * permutation read and a shuffled 2-worker DataLoader epoch; {@code db://} (lance-core's REST
 * namespace server over a directory) full scan vs the same directory opened locally.
 *
 * <p>{@code mvn -o -q -pl bench exec:java -Dexec.mainClass=dev.lancetorch.bench.RemoteBench
 * [-Dexec.args="ROWS"]} (default 200000 rows of 4 float32 + a 16-float embedding).
 */
public final class RemoteBench {
  private RemoteBench() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
    Path tmp = Files.createTempDirectory("remote-bench");
    System.out.println("RemoteBench rows=" + rows + " " + Measure.machine());
    try (S3Server s3 = new S3Server("bench")) {
      ConnectOptions s3Options =
          ConnectOptions.builder().storageOptions(s3.storageOptions()).build();
      try (Connection local = LanceDb.connect(tmp.resolve("local").toString());
          Connection remote = LanceDb.connect("s3://bench/db", s3Options);
          Table lt = BenchData.openOrCreate(local, "t", rows, true);
          Table rt = BenchData.openOrCreate(remote, "t", rows, true)) {
        line("permutation sequential read (batch 1024)", seq(lt), seq(rt), "s3://");
        line("shuffled DataLoader epoch (2 workers, batch 256)", loader(lt), loader(rt), "s3://");
      }
      Path dbDir = tmp.resolve("served");
      try (Connection c = LanceDb.connect(dbDir.toString());
          Table t = BenchData.openOrCreate(c, "t", rows, true)) {
        // created
      }
      try (RemoteFixtures.RestServer server = new RemoteFixtures.RestServer(dbDir.toString());
          Connection local = LanceDb.connect(dbDir.toString());
          Connection remote =
              LanceDb.connect(
                  "db://bench", ConnectOptions.builder().hostOverride(server.url()).build());
          Table lt = local.openTable("t");
          Table rt = remote.openTable("t")) {
        line("full scan", scan(lt), scan(rt), "db://");
        line("open table (metadata)", open(local), open(remote), "db://");
      }
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void line(String what, long localNs, long remoteNs, String scheme) {
    System.out.printf(
        "%-50s local %9.1f ms   %s %9.1f ms   ratio %.2fx%n",
        what, localNs / 1e6, scheme, remoteNs / 1e6, (double) remoteNs / localNs);
  }

  private static long seq(Table t) {
    Permutation<ArrowBatch> p = Permutation.identity(t);
    return Measure.medianNanos(
        3,
        () ->
            Measure.time(
                () -> {
                  try (BatchIterator<ArrowBatch> it = p.iter(1024, false)) {
                    while (it.hasNext()) {
                      it.next().close();
                    }
                  }
                }));
  }

  private static long loader(Table t) {
    Permutation<ArrowBatch> p = Permutation.identity(t);
    return Measure.medianNanos(
        3,
        () ->
            Measure.time(
                () -> {
                  try (DataLoader<Integer> l =
                      DataLoader.builder(p)
                          .batchSize(256)
                          .numWorkers(2)
                          .shuffle(true)
                          .seed(1)
                          .collate(
                              b -> {
                                try (b) {
                                  return b.numRows();
                                }
                              })
                          .build()) {
                    for (Integer n : l) {
                      if (n <= 0) {
                        throw new IllegalStateException("empty batch");
                      }
                    }
                  }
                }));
  }

  private static long scan(Table t) {
    return Measure.medianNanos(
        3,
        () ->
            Measure.time(
                () -> {
                  try (ArrowReader r = t.query().toArrowReader()) {
                    while (r.loadNextBatch()) {
                      VectorSchemaRoot root = r.getVectorSchemaRoot();
                      if (root.getRowCount() < 0) {
                        throw new IllegalStateException();
                      }
                    }
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }));
  }

  private static long open(Connection c) {
    return Measure.medianNanos(3, () -> Measure.time(() -> c.openTable("t").close()));
  }
}
