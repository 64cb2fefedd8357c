package dev.lancetorch.bench;

import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.internal.arrow.FixedSchemaReader;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.loader.LoaderState;
import dev.lancetorch.loader.RowOrder;
import dev.lancetorch.loader.Sampler;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.CacheOptions;
import dev.lancetorch.permutation.CacheStats;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.threads.ThreadBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One real run on a table past 2^31 rows ({@code make bench-huge}; issue 22 item 7): writes {@code
 * huge} (one int64 column {@code id}, row i holds i; {@code --rows}, default 2^31 + 2^20) once with
 * lance-torch's writer, then in one program run: a raw Lance scan of the whole column (checking
 * every value), and a shuffled {@code DataLoader} epoch over {@code Permutation.identity(huge)} —
 * its order a keyed shuffle of all rows computed on demand, the row addresses computed from the
 * fragments' sizes, the read planner's windows made one at a time — read for {@code --read} rows at
 * its start and again resumed from a {@link LoaderState} just before its end (positions past 2^31),
 * every value checked against the sampler's order. Prints the figures and writes a Markdown report
 * ({@code --out}).
 */
public final class HugeTableBench {
  private static final int WRITE_BATCH = 1 << 20;

  private HugeTableBench() {}

  public static void main(String[] args) throws Exception {
    Path db = Path.of("target/lancedb-huge");
    long rows = (1L << 31) + (1L << 20);
    long read = 1L << 22;
    int batch = 16_384;
    Path out = Path.of("docs/benchmarks-huge.md");
    Path cache = null;
    long readCached = 1L << 26;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--db" -> db = Path.of(args[i + 1]);
        case "--rows" -> rows = Long.parseLong(args[i + 1]);
        case "--read" -> read = Long.parseLong(args[i + 1]);
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        case "--cache" -> cache = Path.of(args[i + 1]);
        case "--read-cached" -> readCached = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<String> md = new ArrayList<>();
    String machine = Measure.machine();
    System.out.println("machine: " + machine);
    md.add("# A table past 2^31 rows");
    md.add("");
    md.add(
        "Written by `make bench-huge` (`dev.lancetorch.bench.HugeTableBench`). Machine: "
            + machine
            + ".");
    md.add("");
    try (Connection c = LanceDb.connect(db.toString())) {
      String write = ensureTable(c, rows);
      try (Table t = c.openTable("huge")) {
        long n = t.countRows();
        if (n != rows) {
          throw new IllegalStateException("table huge has " + n + " rows, not " + rows);
        }
        md.add(
            String.format(
                "Table `huge`: %,d rows (2^31 + %,d) in %,d fragments, one int64 column `id` (row"
                    + " i holds i), %.1f GiB on disk; %s.",
                n,
                n - (1L << 31),
                t.fragments().size(),
                bytesUnder(db.resolve("huge.lance")) / (double) (1L << 30),
                write));
        md.add("");
        double scan = scan(t, n);
        String scanLine =
            String.format(
                "- Raw Lance scan of `id`, all %,d rows, every value checked: **%.2f M rows/s**"
                    + " (%.1f s).",
                n, scan, n / scan / 1e6);
        System.out.println(scanLine);
        md.add(scanLine);
        try (Permutation<ArrowBatch> p = Permutation.identity(t)) {
          Reads start = shuffled(p, n, batch, read, false);
          Reads end = shuffled(p, n, batch, read, true);
          List<Reads> all = new ArrayList<>(List.of(start, end));
          if (cache != null) {
            all.addAll(cached(p, n, batch, readCached, cache, md));
          }
          for (Reads r : all) {
            String line =
                String.format(
                    "- Shuffled `DataLoader` epoch (`shuffle(true)`, seed 7, batch %,d, read-ahead"
                        + " 64 MiB), %s: %,d rows at positions %,d–%,d of the epoch,"
                        + " every value checked: **%.3f M rows/s = %.4f× the scan** (first batch"
                        + " after %.2f s).",
                    batch,
                    r.where(),
                    r.rows(),
                    r.firstPosition(),
                    r.firstPosition() + r.rows() - 1,
                    r.rowsPerSecond(),
                    r.rowsPerSecond() / scan,
                    r.firstBatchSeconds());
            System.out.println(line);
            md.add(line);
          }
        }
        md.add(
            "- Not compared with LanceDB: its permutation builder stops at a few million rows"
                + " (DataFusion's 100 MB sort pool) and its reader plans an epoch in memory; a"
                + " shuffled read past 2^31 rows without a cache is bounded by Lance's takes of"
                + " rows spread over every fragment (the large-table cache bench,"
                + " benchmarks-large.md, shows what the disk cache makes of such reads).");
        md.add("- Thread budget: " + ThreadBudget.current() + ".");
      }
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, String.join("\n", md) + "\n");
    System.out.println("wrote " + out);
  }

  /** Writes {@code huge} unless it holds {@code rows} rows; says how it was made. */
  private static String ensureTable(Connection c, long rows) throws IOException {
    if (c.tableNames().contains("huge")) {
      try (Table t = c.openTable("huge")) {
        if (t.countRows() == rows) {
          return "written by an earlier run of this program";
        }
      }
    }
    long t0 = System.nanoTime();
    try (BufferAllocator a = new RootAllocator();
        ArrowReader r = new Ids(a, rows)) {
      c.createTable("huge", r, dev.lancetorch.CreateMode.OVERWRITE).close();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("wrote huge: %,d rows in %.0f s%n", rows, s);
    return String.format(
        "written by lance-torch's `createTable` from an Arrow stream in %.0f s (%.1f M rows/s)",
        s, rows / s / 1e6);
  }

  /**
   * The disk cache past 2^31 rows: {@code fillCache()} of the whole column into {@code dir}
   * (emptied first), then the start of the shuffled epoch read from the files.
   */
  private static List<Reads> cached(
      Permutation<ArrowBatch> p, long n, int batch, long read, Path dir, List<String> md)
      throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    Files.createDirectories(dir);
    try (Permutation<ArrowBatch> c =
        p.withCache(CacheOptions.disk(dir, 64L << 30).memory(256L << 20))) {
      long t0 = System.nanoTime();
      c.fillCache();
      double s = (System.nanoTime() - t0) / 1e9;
      CacheStats st = c.cacheStats();
      String line =
          String.format(
              "- `withCache(CacheOptions.disk(dir, 64 GiB).memory(256 MiB)).fillCache()`: %,d"
                  + " fragments, %.1f GiB written in %.0f s (%.1f M rows/s).",
              st.fragmentsFilled(), bytesUnder(dir) / (double) (1L << 30), s, n / s / 1e6);
      System.out.println(line);
      md.add(line);
      Reads r = shuffled(c, n, batch, read, false);
      return List.of(
          new Reads(
              "from the disk cache, from the start",
              r.firstPosition(),
              r.rows(),
              r.rowsPerSecond(),
              r.firstBatchSeconds()));
    }
  }

  /** The whole column scanned; every value checked; M rows/s. */
  private static double scan(Table t, long n) throws IOException {
    long t0 = System.nanoTime();
    long next = 0;
    try (ArrowReader r = t.query().select("id").batchSize(1 << 16).toArrowReader()) {
      while (r.loadNextBatch()) {
        VectorSchemaRoot root = r.getVectorSchemaRoot();
        BigIntVector v = (BigIntVector) root.getVector("id");
        for (int i = 0; i < root.getRowCount(); i++) {
          if (v.get(i) != next) {
            throw new IllegalStateException("row " + next + " holds " + v.get(i));
          }
          next++;
        }
      }
    }
    if (next != n) {
      throw new IllegalStateException("the scan returned " + next + " of " + n + " rows");
    }
    return n / ((System.nanoTime() - t0) / 1e9) / 1e6;
  }

  private record Reads(
      String where,
      long firstPosition,
      long rows,
      double rowsPerSecond,
      double firstBatchSeconds) {}

  /**
   * Reads {@code read} rows of epoch 0 of a shuffled loader over {@code p}: its first batches, or
   * (atEnd) its last ones, resumed from a state; checks each row against the sampler's order.
   */
  private static Reads shuffled(
      Permutation<ArrowBatch> p, long n, int batch, long read, boolean atEnd) {
    RowOrder order = Sampler.random().order(n, 7, 0);
    long numBatches = (n + batch - 1) / batch;
    long want = Math.min(numBatches, (read + batch - 1) / batch);
    long firstBatch = atEnd ? numBatches - want : 0;
    long t0 = System.nanoTime();
    double first = -1;
    long rows = 0;
    try (Permutation<ArrowBatch> ahead = p.withReadAhead(64L << 20);
        DataLoader<ArrowBatch> loader =
            DataLoader.builder(ahead)
                .batchSize(batch)
                .shuffle(true)
                .seed(7)
                .resumeFrom(
                    atEnd ? new LoaderState(0, 7, firstBatch, new long[0], numBatches, 0, 1) : null)
                .build()) {
      Iterator<ArrowBatch> it = loader.iterator();
      for (long k = firstBatch; k < firstBatch + want && it.hasNext(); k++) {
        try (ArrowBatch ab = it.next()) {
          if (first < 0) {
            first = (System.nanoTime() - t0) / 1e9;
          }
          BigIntVector v = (BigIntVector) ab.column("id");
          for (int i = 0; i < ab.numRows(); i++) {
            long expect = order.get(k * batch + i);
            if (v.get(i) != expect) {
              throw new IllegalStateException(
                  "position " + (k * batch + i) + ": row " + v.get(i) + ", expected " + expect);
            }
          }
          rows += ab.numRows();
        }
      }
    }
    double s = (System.nanoTime() - t0) / 1e9;
    return new Reads(
        atEnd ? "resumed just before the end" : "from the start",
        firstBatch * batch,
        rows,
        rows / s / 1e6,
        first);
  }

  private static long bytesUnder(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    }
  }

  /** Rows 0..n-1 of one int64 column {@code id}, in batches of {@value #WRITE_BATCH}. */
  private static final class Ids extends FixedSchemaReader {
    private final long n;
    private long next;

    Ids(BufferAllocator a, long n) {
      super(a, new Schema(List.of(Field.notNullable("id", new ArrowType.Int(64, true)))));
      this.n = n;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      if (next >= n) {
        return false;
      }
      int k = (int) Math.min(WRITE_BATCH, n - next);
      VectorSchemaRoot root = getVectorSchemaRoot();
      BigIntVector v = (BigIntVector) root.getVector("id");
      v.allocateNew(k);
      for (int i = 0; i < k; i++) {
        v.set(i, next + i);
      }
      v.setValueCount(k);
      root.setRowCount(k);
      next += k;
      if ((next / WRITE_BATCH) % 256 == 0) {
        System.out.printf("  written %,d rows%n", next);
      }
      return true;
    }
  }
}
