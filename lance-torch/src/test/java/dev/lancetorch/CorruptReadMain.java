package dev.lancetorch;

import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.Permutations;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Run in its own JVM by {@link CorruptFileTest} (a JVM abort must not take the test run down):
 * reads a table once, overwrites the middle half of its data file with random bytes (same size),
 * then tries every read path. Prints one {@code PATH <name>: ...} line per path and {@code ALL
 * PATHS RETURNED} at the end; exit code 0 means no abort.
 */
public final class CorruptReadMain {
  private CorruptReadMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    try (RootAllocator allocator = new RootAllocator();
        Connection db =
            LanceDb.connect(
                dir.toString(), ConnectOptions.builder().allocator(allocator).build())) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (long i = 0; i < 20000; i++) {
        rows.add(Map.of("id", i, "x", i * 0.5));
      }
      Table t = db.createTable("t", rows, CreateMode.CREATE);
      long[] spread =
          LongStream.range(0, 400).map(i -> (i * 7919) % 20000).toArray(); // all over the file
      Table permTable = Permutation.builder(t).shuffle(3).execute();
      Permutations splits = Permutations.of(t, permTable);
      try (VectorSchemaRoot r = t.takeRowIds(spread, null)) { // the first read, as in the report
        System.out.println("first read: " + r.getRowCount() + " rows");
      }
      Path data;
      try (var files = Files.list(dir.resolve("t.lance").resolve("data"))) {
        data = files.filter(p -> p.toString().endsWith(".lance")).findFirst().orElseThrow();
      }
      long size = Files.size(data);
      byte[] junk = new byte[(int) (size / 2)];
      new Random(12).nextBytes(junk);
      try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
        f.seek(size / 4);
        f.write(junk);
      }
      System.out.println("corrupted " + data.getFileName() + " (" + size + " bytes, same size)");

      attempt(
          "takeRowIds",
          () -> {
            try (VectorSchemaRoot r = t.takeRowIds(spread, List.of("id", "x"))) {
              return r.getRowCount();
            }
          });
      attempt(
          "takeOffsets",
          () -> {
            try (VectorSchemaRoot r = t.takeOffsets(spread, null)) {
              return r.getRowCount();
            }
          });
      attempt("shuffled ARROW", () -> drain(splits.split(0).withBatchSize(256)));
      attempt(
          "shuffled TORCH_DICT",
          () -> drain(splits.split(0).withFormat(Format.TORCH_DICT).withBatchSize(256)));
      attempt(
          "random access",
          () -> {
            try (var b = Permutation.identity(t).takeOffsets(spread)) {
              return b.numRows();
            }
          });
      attempt(
          "scan",
          () -> {
            long n = 0;
            try (ArrowReader r = t.query().toArrowReader()) {
              while (r.loadNextBatch()) {
                n += r.getVectorSchemaRoot().getRowCount();
              }
            }
            return n;
          });
      attempt(
          "identity TORCH_DICT",
          () -> drain(Permutation.identity(t).withFormat(Format.TORCH_DICT)));
      attempt(
          "memory cache",
          () -> drain(splits.split(0).withMemoryCache(64L << 20).withBatchSize(256)));
      // issue 24 item 13: every path reports the storage fault as a LanceIoException
      attempt("identity ARROW", () -> drain(Permutation.identity(t).withBatchSize(256)));
      attempt(
          "identity ROWS",
          () -> drain(Permutation.identity(t).withFormat(Format.ROWS).withBatchSize(256)));
      attempt(
          "filtered ARROW",
          () -> drain(Permutation.identity(t).filter("x >= 0").withBatchSize(256)));
      attempt(
          "sql",
          () -> {
            long n = 0;
            try (ArrowReader r = t.sql("SELECT id, x FROM t WHERE x >= 0")) {
              while (r.loadNextBatch()) {
                n += r.getVectorSchemaRoot().getRowCount();
              }
            }
            return n;
          });
      attempt("countRows(filter)", () -> t.countRows("x >= 0"));
      attempt("execute", () -> Permutation.builder(t).filter("x >= 0").execute().countRows());
      Files.delete(data);
      System.out.println("deleted " + data.getFileName());
      attempt(
          "execute filter after delete",
          () -> Permutation.builder(t).filter("x >= 0").shuffle(5).execute().countRows());
      attempt(
          "execute splitCalculated after delete",
          () ->
              Permutation.builder(t)
                  .splitCalculated("CASE WHEN x >= 0 THEN 0 ELSE 1 END", List.of("a", "b"))
                  .execute()
                  .countRows());
      attempt(
          "scan after delete",
          () -> {
            try (ArrowReader r = t.query().toArrowReader()) {
              return r.loadNextBatch() ? 1 : 0;
            }
          });
      permTable.close();
      t.close();
    }
    System.out.println("ALL PATHS RETURNED");
  }

  interface Read {
    long run() throws Exception;
  }

  static void attempt(String path, Read read) {
    try {
      System.out.println("PATH " + path + ": returned " + read.run() + " rows");
    } catch (Exception e) {
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      System.out.println(
          "PATH "
              + path
              + ": threw "
              + e.getClass().getSimpleName()
              + ": "
              + first.substring(0, Math.min(300, first.length())));
    }
  }

  static long drain(Permutation<?> p) throws Exception {
    long n = 0;
    for (Object b : p) {
      n++;
      if (b instanceof AutoCloseable c) {
        c.close();
      }
    }
    return n;
  }
}
