package dev.lancetorch.bench;

import dev.lancetorch.ArrowStreamExport;
import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Query;
import dev.lancetorch.Table;
import dev.lancetorch.torch.NativeLibrary;
import dev.lancetorch.torch.TorchBatch;
import dev.lancetorch.torch.TorchScan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.bytedeco.pytorch.Tensor;

/**
 * Per-batch cost of turning a Lance scan's batches into tensors, Java path against the native
 * stream path, on a 2M-row table (a,b,c,d: float32, emb: FixedSizeList&lt;float32, 16&gt;), batch
 * 16384. Conversion costs: the median batch of each scan, then the median of {@code --runs}
 * (default 5) scans after one warm-up scan; throughputs: median of the whole-scan times, the two
 * paths alternating.
 *
 * <ul>
 *   <li>(a) Java path: {@code TorchBatch.fromRoot} on the Java reader's root (Arrow Java C export +
 *       native import) + the conversion + closing tensors and batch.
 *   <li>(b) native path: the batch's C array as Lance wrote it (fetched with the stream's {@code
 *       get_next}, outside the timed region) imported with {@code TorchBatch.importFrom} + the same
 *       conversion + closing. This is what {@link TorchScan#next()} does after {@code get_next}.
 * </ul>
 *
 * <p>"in scan": each batch is converted as the scan yields it (Lance decodes ahead on its own
 * threads meanwhile); "isolated": the whole scan is fetched first (Java: batches moved into roots
 * of their own; native: Lance's C arrays kept), then every batch is converted, so the figures show
 * the bridge alone.
 *
 * <p>Conversion = import ({@code fromRoot} / {@code importFrom}) + taking the tensors + closing
 * them; the batch's own close is reported apart: on the native path it is the last reference, so it
 * frees the batch's Arrow memory (work the raw scan does too), while on the Java path the reader's
 * root still holds the data.
 *
 * <p>Run: {@code make build && java --add-opens=java.base/java.nio=ALL-UNNAMED -cp
 * bench/target/classes:$(cat bench/target/classpath.txt) dev.lancetorch.bench.BridgeCostBench}
 * [--dir target/bench-db] [--runs 5]
 */
public final class BridgeCostBench {
  static final long ROWS = 2_000_000;
  static final int BATCH = 16384;
  static final int BATCHES = (int) ((ROWS + BATCH - 1) / BATCH);
  static final List<String> ALL = List.of("a", "b", "c", "d", "emb");

  enum Op {
    DICT_ALL("dict of all 5 columns"),
    ONE_COLUMN("one column (emb, R x 16)"),
    VIEW_DR("(D,R) view of emb"),
    GATHER_CR("(C,R) gather of a,b,c,d");

    final String label;

    Op(String label) {
      this.label = label;
    }

    void apply(TorchBatch b) {
      switch (this) {
        case DICT_ALL -> b.dict(ALL).values().forEach(Tensor::close);
        case ONE_COLUMN -> b.column("emb").close();
        case VIEW_DR -> b.columnMajor("emb").close();
        case GATHER_CR -> b.stack(BenchData.SCALARS).close();
      }
    }
  }

  private BridgeCostBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of("target/bench-db");
    int runs = 5;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--dir" -> dir = Path.of(args[i + 1]);
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    NativeLibrary.load();
    System.out.println("BridgeCostBench: " + Measure.machine());
    try (RootAllocator allocator = new RootAllocator();
        Connection db =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
        Table t = BenchData.openOrCreate(db, "bridge_cost_2m", ROWS, true)) {
      System.out.printf(
          "table: %d rows, %d fragments, batch %d, median of %d runs%n",
          t.countRows(), t.fragments().size(), BATCH, runs);
      System.out.println("per-batch conversion, us (then TorchBatch.close, us)");
      System.out.printf(
          "%-28s %18s %18s %18s %18s%n",
          "", "(a) Java in scan", "(b) native in scan", "(a) Java isolated", "(b) native isolated");
      for (Op op : Op.values()) {
        double[] java = medians(runs, () -> javaPath(t, allocator, op));
        double[] nat = medians(runs, () -> nativePath(t, allocator, op));
        double[] javaIso = medians(runs, () -> javaIsolated(t, allocator, op));
        double[] natIso = medians(runs, () -> nativeIsolated(t, allocator, op));
        System.out.printf(
            "%-28s %18s %18s %18s %18s%n",
            op.label, cell(java), cell(nat), cell(javaIso), cell(natIso));
      }
      System.out.printf("%-28s %24s %24s%n", "scan throughput (Mrows/s)", "(a) Java", "(b) native");
      printThroughput("raw scan", runs, () -> rawJava(t, allocator), () -> rawNative(t, allocator));
      printThroughput(
          "scan + TORCH_DICT", runs, () -> dictJava(t, allocator), () -> dictNative(t, allocator));
    }
  }

  static Query query(Table t) {
    return t.query().select(ALL).batchSize(BATCH);
  }

  /** Per-batch microseconds: result[0] = total timed ns, result[1] = batches. */
  interface Run {
    long[] run();
  }

  static double median(int runs, Run r) {
    return medians(runs, r)[0];
  }

  /**
   * {median per-batch us, median batch-close us (conversions only)} over {@code runs} runs after a
   * warm-up.
   */
  static double[] medians(int runs, Run r) {
    r.run(); // warm-up
    double[] v = new double[runs];
    double[] c = new double[runs];
    for (int i = 0; i < runs; i++) {
      long[] res = r.run();
      v[i] = res[0] / 1e3 / res[1];
      c[i] = res.length > 2 ? res[2] / 1e3 : 0;
    }
    Arrays.sort(v);
    Arrays.sort(c);
    return new double[] {v[runs / 2], c[runs / 2]};
  }

  /**
   * Whole-scan throughput in Mrows/s (= rows/us) and the per-batch wall time; the two paths' scans
   * alternate so that a change in machine load hits both alike.
   */
  static void printThroughput(String label, int runs, Run java, Run nat) {
    java.run(); // warm-up
    nat.run();
    double[] j = new double[runs];
    double[] n = new double[runs];
    for (int i = 0; i < runs; i++) {
      long[] rj = java.run();
      long[] rn = nat.run();
      j[i] = rj[0] / 1e3 / rj[1];
      n[i] = rn[0] / 1e3 / rn[1];
    }
    Arrays.sort(j);
    Arrays.sort(n);
    double jm = j[runs / 2];
    double nm = n[runs / 2];
    System.out.printf(
        "%-28s %8.1f (%4.0f us/batch) %8.1f (%4.0f us/batch)%n",
        label, ROWS / (jm * BATCHES), jm, ROWS / (nm * BATCHES), nm);
  }

  static long[] javaPath(Table t, BufferAllocator a, Op op) {
    BatchTimes times = new BatchTimes();
    try (ArrowReader r = query(t).toArrowReader(a)) {
      while (r.loadNextBatch()) {
        VectorSchemaRoot root = r.getVectorSchemaRoot();
        times.time(() -> TorchBatch.fromRoot(root, a), op);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return times.medians();
  }

  static long[] nativePath(Table t, BufferAllocator a, Op op) {
    BatchTimes times = new BatchTimes();
    try (ArrowStreamExport ex =
            query(t).exportArrowStream(a, ArrowStreamExport.Source.LANCE_NATIVE);
        ArrowArray array = ArrowArray.allocateNew(a);
        ArrowSchema schema = ArrowSchema.allocateNew(a)) {
      check(ex);
      ArrowArrayStream stream = ArrowArrayStream.wrap(ex.streamAddress());
      while (true) {
        stream.getNext(array);
        if (array.snapshot().release == 0) {
          break;
        }
        stream.getSchema(schema);
        times.time(() -> TorchBatch.importFrom(array.memoryAddress(), schema.memoryAddress()), op);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return times.medians();
  }

  /** Per batch: the time of import + op, and the time of close; their medians. */
  private static final class BatchTimes {
    private final long[] ns = new long[BATCHES];
    private final long[] close = new long[BATCHES];
    private int batches;

    void time(Supplier<TorchBatch> importBatch, Op op) {
      long t0 = System.nanoTime();
      TorchBatch b = importBatch.get();
      op.apply(b);
      long t1 = System.nanoTime();
      b.close();
      close[batches] = System.nanoTime() - t1;
      ns[batches++] = t1 - t0;
    }

    long[] medians() {
      return medianOfBatches(ns, close, batches);
    }
  }

  static String cell(double[] m) {
    return String.format("%7.2f (%5.2f)", m[0], m[1]);
  }

  /**
   * The scan's batches are first moved into roots of their own; conversions run after the scan
   * ends.
   */
  static long[] javaIsolated(Table t, BufferAllocator a, Op op) {
    List<VectorSchemaRoot> roots = new ArrayList<>();
    try {
      try (ArrowReader r = query(t).toArrowReader(a)) {
        while (r.loadNextBatch()) {
          VectorSchemaRoot src = r.getVectorSchemaRoot();
          VectorSchemaRoot own = VectorSchemaRoot.create(src.getSchema(), a);
          for (int i = 0; i < src.getFieldVectors().size(); i++) {
            src.getVector(i).makeTransferPair(own.getVector(i)).transfer();
          }
          own.setRowCount(src.getRowCount());
          roots.add(own);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      long[] ns = new long[roots.size()];
      long[] close = new long[roots.size()];
      for (int i = 0; i < roots.size(); i++) {
        long t0 = System.nanoTime();
        TorchBatch b = TorchBatch.fromRoot(roots.get(i), a);
        op.apply(b);
        long t1 = System.nanoTime();
        b.close();
        close[i] = System.nanoTime() - t1;
        ns[i] = t1 - t0;
      }
      return medianOfBatches(ns, close, roots.size());
    } finally {
      roots.forEach(VectorSchemaRoot::close);
    }
  }

  /**
   * Lance's C arrays are first all fetched (the scan ends); imports and conversions run afterwards.
   */
  static long[] nativeIsolated(Table t, BufferAllocator a, Op op) {
    List<ArrowArray> arrays = new ArrayList<>();
    List<ArrowSchema> schemas = new ArrayList<>();
    try {
      try (ArrowStreamExport ex =
          query(t).exportArrowStream(a, ArrowStreamExport.Source.LANCE_NATIVE)) {
        check(ex);
        ArrowArrayStream stream = ArrowArrayStream.wrap(ex.streamAddress());
        while (true) {
          ArrowArray array = ArrowArray.allocateNew(a);
          arrays.add(array);
          stream.getNext(array);
          if (array.snapshot().release == 0) {
            break;
          }
          ArrowSchema schema = ArrowSchema.allocateNew(a);
          schemas.add(schema);
          stream.getSchema(schema);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int n = schemas.size();
      long[] ns = new long[n];
      long[] close = new long[n];
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        TorchBatch b =
            TorchBatch.importFrom(arrays.get(i).memoryAddress(), schemas.get(i).memoryAddress());
        op.apply(b);
        long t1 = System.nanoTime();
        b.close();
        close[i] = System.nanoTime() - t1;
        ns[i] = t1 - t0;
      }
      return medianOfBatches(ns, close, n);
    } finally {
      for (ArrowArray x : arrays) {
        if (x.snapshot().release != 0) {
          x.release();
        }
        x.close();
      }
      for (ArrowSchema x : schemas) {
        if (x.snapshot().release != 0) {
          x.release();
        }
        x.close();
      }
    }
  }

  static long[] rawJava(Table t, BufferAllocator a) {
    return timedJavaRead(t, a, root -> {});
  }

  /** Times reading every batch through Arrow Java, handing each to {@code perBatch}. */
  private static long[] timedJavaRead(
      Table t, BufferAllocator a, Consumer<VectorSchemaRoot> perBatch) {
    return timed(
        () -> {
          long n = 0;
          try (ArrowReader r = query(t).toArrowReader(a)) {
            while (r.loadNextBatch()) {
              perBatch.accept(r.getVectorSchemaRoot());
              n++;
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return n;
        });
  }

  static long[] rawNative(Table t, BufferAllocator a) {
    return timed(
        () -> {
          long n = 0;
          try (ArrowStreamExport ex =
                  query(t).exportArrowStream(a, ArrowStreamExport.Source.LANCE_NATIVE);
              ArrowArray array = ArrowArray.allocateNew(a)) {
            check(ex);
            ArrowArrayStream stream = ArrowArrayStream.wrap(ex.streamAddress());
            while (true) {
              stream.getNext(array);
              if (array.snapshot().release == 0) {
                return n;
              }
              array.release();
              n++;
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  static long[] dictJava(Table t, BufferAllocator a) {
    return timedJavaRead(
        t,
        a,
        root -> {
          try (TorchBatch b = TorchBatch.fromRoot(root, a)) {
            Op.DICT_ALL.apply(b);
          }
        });
  }

  static long[] dictNative(Table t, BufferAllocator a) {
    return timed(
        () -> {
          long n = 0;
          try (TorchScan scan = TorchScan.open(query(t))) {
            if (scan.source() != ArrowStreamExport.Source.LANCE_NATIVE) {
              throw new IllegalStateException("native stream unavailable: " + scan.source());
            }
            for (TorchBatch next = scan.next(); next != null; next = scan.next()) {
              try (TorchBatch b = next) {
                Op.DICT_ALL.apply(b);
              }
              n++;
            }
          }
          return n;
        });
  }

  /**
   * {median ns, 1}: the median batch filters out the batches during which this thread was preempted
   * (Lance decodes on its own threads, and the machine may be shared).
   */
  static long[] medianOfBatches(long[] ns, long[] close, int batches) {
    if (batches != BATCHES) {
      throw new IllegalStateException("expected " + BATCHES + " batches, got " + batches);
    }
    return new long[] {median(ns), 1, median(close)};
  }

  static long median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** Times a whole scan: {total ns, batches}. */
  static long[] timed(java.util.function.LongSupplier scan) {
    long t0 = System.nanoTime();
    long batches = scan.getAsLong();
    return new long[] {System.nanoTime() - t0, batches};
  }

  static void check(ArrowStreamExport ex) {
    if (ex.source() != ArrowStreamExport.Source.LANCE_NATIVE) {
      throw new IllegalStateException("native stream unavailable: " + ex.source());
    }
  }
}
