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
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.bytedeco.pytorch.Tensor;

/**
 * Per-batch cost of turning a Lance scan's batches into tensors, Java path against the native
 * stream path, on a 2M-row table (a,b,c,d: float32, emb: FixedSizeList&lt;float32, 16&gt;), batch
 * 16384. Conversion costs: the median batch of each scan, then the median of {@code --runs}
 * (default 5) scans after one warm-up scan; throughputs: median of the whole-scan times.
 *
 * <ul>
 *   <li>(a) Java path: {@code TorchBatch.fromRoot} on the Java reader's root (Arrow Java C export +
 *       native import) + the conversion + closing tensors and batch.
 *   <li>(b) native path: the batch's C array as Lance wrote it (fetched with the stream's {@code
 *       get_next}, outside the timed region) imported with {@code TorchBatch.importFrom} + the same
 *       conversion + closing. This is what {@link TorchScan#next()} does after {@code get_next}.
 * </ul>
 *
 * <p>Run: {@code make build && mvn -o -q test-compile && java --add-opens=java.base/java.nio=ALL-UNNAMED
 * -cp target/test-classes:target/classes:$(cat target/classpath.txt) dev.lancetorch.bench.BridgeCostBench}
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
        Connection db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
        Table t = BenchData.openOrCreate(db, "bridge_cost_2m", ROWS, true)) {
      System.out.printf("table: %d rows, %d fragments, batch %d, median of %d runs%n", t.countRows(),
          t.fragments().size(), BATCH, runs);
      System.out.printf("%-28s %14s %14s%n", "per-batch conversion (us)", "(a) Java", "(b) native");
      for (Op op : Op.values()) {
        double java = median(runs, () -> javaPath(t, allocator, op));
        double nat = median(runs, () -> nativePath(t, allocator, op));
        System.out.printf("%-28s %14.2f %14.2f%n", op.label, java, nat);
      }
      System.out.printf("%-28s %24s %24s%n", "scan throughput (Mrows/s)", "(a) Java", "(b) native");
      printThroughput("raw scan", runs, () -> rawJava(t, allocator), () -> rawNative(t, allocator));
      printThroughput("scan + TORCH_DICT", runs, () -> dictJava(t, allocator), () -> dictNative(t, allocator));
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
    r.run(); // warm-up
    double[] v = new double[runs];
    for (int i = 0; i < runs; i++) {
      long[] res = r.run();
      v[i] = res[0] / 1e3 / res[1];
    }
    Arrays.sort(v);
    return v[runs / 2];
  }

  /** Whole-scan throughput in Mrows/s (= rows/us) and the per-batch wall time. */
  static void printThroughput(String label, int runs, Run java, Run nat) {
    double batches = (ROWS + BATCH - 1) / BATCH;
    double j = median(runs, java);
    double n = median(runs, nat);
    System.out.printf("%-28s %8.1f (%4.0f us/batch) %8.1f (%4.0f us/batch)%n", label, ROWS / (j * batches), j,
        ROWS / (n * batches), n);
  }

  static long[] javaPath(Table t, BufferAllocator a, Op op) {
    long[] ns = new long[BATCHES];
    int batches = 0;
    try (ArrowReader r = query(t).toArrowReader(a)) {
      while (r.loadNextBatch()) {
        long t0 = System.nanoTime();
        try (TorchBatch b = TorchBatch.fromRoot(r.getVectorSchemaRoot(), a)) {
          op.apply(b);
        }
        ns[batches++] = System.nanoTime() - t0;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return medianOfBatches(ns, batches);
  }

  static long[] nativePath(Table t, BufferAllocator a, Op op) {
    long[] ns = new long[BATCHES];
    int batches = 0;
    try (ArrowStreamExport ex = query(t).exportArrowStream(a, ArrowStreamExport.Source.LANCE_NATIVE);
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
        long t0 = System.nanoTime();
        try (TorchBatch b = TorchBatch.importFrom(array.memoryAddress(), schema.memoryAddress())) {
          op.apply(b);
        }
        ns[batches++] = System.nanoTime() - t0;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return medianOfBatches(ns, batches);
  }

  static long[] rawJava(Table t, BufferAllocator a) {
    return timed(() -> {
      long n = 0;
      try (ArrowReader r = query(t).toArrowReader(a)) {
        while (r.loadNextBatch()) {
          n++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return n;
    });
  }

  static long[] rawNative(Table t, BufferAllocator a) {
    return timed(() -> {
      long n = 0;
      try (ArrowStreamExport ex = query(t).exportArrowStream(a, ArrowStreamExport.Source.LANCE_NATIVE);
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
    return timed(() -> {
      long n = 0;
      try (ArrowReader r = query(t).toArrowReader(a)) {
        while (r.loadNextBatch()) {
          try (TorchBatch b = TorchBatch.fromRoot(r.getVectorSchemaRoot(), a)) {
            Op.DICT_ALL.apply(b);
          }
          n++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return n;
    });
  }

  static long[] dictNative(Table t, BufferAllocator a) {
    return timed(() -> {
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
   * {median ns, 1}: the median batch filters out the batches during which this thread was
   * preempted (Lance decodes on its own threads, and the machine may be shared).
   */
  static long[] medianOfBatches(long[] ns, int batches) {
    if (batches != BATCHES) {
      throw new IllegalStateException("expected " + BATCHES + " batches, got " + batches);
    }
    long[] s = Arrays.copyOf(ns, batches);
    Arrays.sort(s);
    return new long[] {s[batches / 2], 1};
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
