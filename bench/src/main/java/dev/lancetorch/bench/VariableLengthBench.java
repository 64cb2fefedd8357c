package dev.lancetorch.bench;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.loader.PackedBatch;
import dev.lancetorch.loader.SequencePacker;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.ImageDecoder;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.TensorDict;
import dev.lancetorch.torch.JaggedColumn;
import dev.lancetorch.torch.NativeLibrary;
import dev.lancetorch.torch.PadOptions;
import dev.lancetorch.torch.PaddedColumn;
import dev.lancetorch.torch.TorchBatch;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Variable-length columns (issue 15), side by side in one run: a token column ({@code list<int32>},
 * lengths uniform in [0, 2 × mean]) read as a raw Lance Java scan (bytes/s of its values + offsets
 * buffers), as jagged {@code TORCH_DICT} tensors, as padded batches and as packed LM rows
 * (tokens/s, each a ratio to the raw scan); the per-batch cost of the jagged and padded conversions
 * (µs, median, next to the plain export/import of the same batch); and PNG images (28×28 gray,
 * generated: half noise, half flat) decoded by {@link ImageDecoder} in a loader with 1 and 2
 * workers (images/s). The readings of a figure are interleaved with those it is compared to (one
 * reading of each per round, one warm-up round), and each line is the median of {@code reps}
 * rounds. {@code make bench} runs it as its section {@code varlen}; standalone: {@code make build
 * && java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/classes:$(cat
 * bench/target/classpath.txt) dev.lancetorch.bench.VariableLengthBench [--docs N] [--mean-tokens N]
 * [--images N] [--reps N]} (prints the same lines, writes nothing).
 */
public final class VariableLengthBench {
  static final String SECTION = "varlen";
  private static final int BATCH = 1024;
  private static final int PAD = 128;
  private static final int SEQ = 512;
  private static final int SEQ_ROWS = 32;
  private static final int CONVERSIONS = 200;

  private final Bench.Report report;
  private final int reps;
  private final int docs;
  private final int meanTokens;
  private final int images;

  VariableLengthBench(Bench.Report report, int reps, int docs, int meanTokens, int images) {
    this.report = report;
    this.reps = reps;
    this.docs = docs;
    this.meanTokens = meanTokens;
    this.images = images;
  }

  public static void main(String[] args) throws Exception {
    int docs = 100_000;
    int mean = 64;
    int images = 10_000;
    int reps = 3;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--docs" -> docs = Integer.parseInt(args[i + 1]);
        case "--mean-tokens" -> mean = Integer.parseInt(args[i + 1]);
        case "--images" -> images = Integer.parseInt(args[i + 1]);
        case "--reps" -> reps = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    NativeLibrary.load();
    try (RootAllocator a = new RootAllocator()) {
      new VariableLengthBench(new Bench.Report(), reps, docs, mean, images).run(a);
    }
  }

  /** Adds this section's lines to the report; its tables live in a temporary directory. */
  void run(BufferAllocator allocator) throws IOException {
    Path dir = Files.createTempDirectory("lt-varlen-bench");
    try (BufferAllocator a = allocator.newChildAllocator("varlen-bench", 0, Long.MAX_VALUE);
        Connection db =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(a).build())) {
      try (VectorSchemaRoot root = tokenRoot(a, docs, meanTokens);
          Table tokens = db.createTable("tokens", root)) {
        tokenLines(tokens);
      }
      conversionLines(a);
      try (VectorSchemaRoot root = pngRoot(a, images);
          Table png = db.createTable("png", root)) {
        imageLines(png);
      }
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Times each of {@code runs} once per round, {@code reps} rounds after one warm-up round; the
   * median ns of each.
   */
  private long[] interleavedMedians(List<Runnable> runs) {
    long[][] t = new long[runs.size()][reps];
    for (int round = -1; round < reps; round++) {
      for (int k = 0; k < runs.size(); k++) {
        long ns = Measure.time(runs.get(k));
        if (round >= 0) {
          t[k][round] = ns;
        }
      }
    }
    long[] median = new long[runs.size()];
    for (int k = 0; k < runs.size(); k++) {
      java.util.Arrays.sort(t[k]);
      median[k] = t[k][reps / 2];
    }
    return median;
  }

  static VectorSchemaRoot tokenRoot(BufferAllocator a, int docs, int mean) {
    Schema s =
        new Schema(
            List.of(
                new Field(
                    "tok",
                    FieldType.notNullable(ArrowType.List.INSTANCE),
                    List.of(Field.notNullable("item", new ArrowType.Int(32, true))))));
    VectorSchemaRoot root = VectorSchemaRoot.create(s, a);
    ListVector v = (ListVector) root.getVector("tok");
    UnionListWriter w = v.getWriter();
    SplittableRandom rnd = new SplittableRandom(1);
    for (int r = 0; r < docs; r++) {
      w.setPosition(r);
      w.startList();
      int n = rnd.nextInt(2 * mean + 1);
      for (int k = 0; k < n; k++) {
        w.writeInt(rnd.nextInt(50_000));
      }
      w.endList();
    }
    v.setValueCount(docs);
    root.setRowCount(docs);
    return root;
  }

  private void tokenLines(Table t) {
    long[] scanned = new long[2]; // tokens, Arrow buffer bytes of one raw scan
    long[] packedTokens = new long[1];
    Runnable raw =
        () -> {
          try (ArrowReader r = t.query().select(List.of("tok")).batchSize(BATCH).toArrowReader()) {
            long tokens = 0;
            long bytes = 0;
            while (r.loadNextBatch()) {
              ListVector v = (ListVector) r.getVectorSchemaRoot().getVector("tok");
              tokens += v.getDataVector().getValueCount();
              bytes += v.getBufferSize();
            }
            scanned[0] = tokens;
            scanned[1] = bytes;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    Runnable jagged = () -> drain(Permutation.identity(t).withFormat(Format.TORCH_DICT));
    Runnable padded =
        () ->
            drain(
                Permutation.identity(t)
                    .withFormat(Format.torchDict(Map.of("tok", PadOptions.fixed(PAD)))));
    Runnable loader =
        () -> {
          try (DataLoader<TensorDict> l = tokenLoader(t)) {
            for (TensorDict d : l) {
              d.close();
            }
          }
        };
    Runnable packed = () -> packedTokens[0] = pack(t);
    long[] ns = interleavedMedians(List.of(raw, jagged, padded, loader, packed));
    long tokens = scanned[0];
    double rawRate = tokens / (ns[0] / 1e9);
    report.add(
        SECTION,
        String.format(
            "raw Lance Java scan of a list<int32> token column (%d docs, %d tokens, batch %d)",
            docs, tokens, BATCH),
        String.format("%.2f", rawRate / 1e6),
        "M tokens/s",
        String.format("%.0f MB/s of Arrow buffers", scanned[1] / (ns[0] / 1e9) / 1e6),
        "");
    tokenLine("jagged TORCH_DICT (values + offsets tensors, zero-copy)", tokens, ns[1], rawRate);
    tokenLine(
        String.format("padded TORCH_DICT (L=%d, with lengths + attention mask)", PAD),
        tokens,
        ns[2],
        rawRate);
    tokenLine("jagged TORCH_DICT through a DataLoader (0 workers)", tokens, ns[3], rawRate);
    tokenLine(
        String.format(
            "SequencePacker rows over that loader (L=%d, B=%d, separator; tokens out)",
            SEQ, SEQ_ROWS),
        packedTokens[0],
        ns[4],
        rawRate);
  }

  private void tokenLine(String what, long tokens, long nanos, double rawRate) {
    double rate = tokens / (nanos / 1e9);
    report.add(
        SECTION,
        what,
        String.format("%.2f", rate / 1e6),
        "M tokens/s",
        String.format("raw scan %.2f M tokens/s", rawRate / 1e6),
        String.format("%.2f× raw scan", rate / rawRate));
  }

  private static void drain(Permutation<TensorDict> p) {
    try (var it = p.iter(BATCH, false)) {
      while (it.hasNext()) {
        it.next().close();
      }
    }
  }

  private static DataLoader<TensorDict> tokenLoader(Table t) {
    return DataLoader.builder(Permutation.identity(t).withFormat(Format.TORCH_DICT))
        .batchSize(BATCH)
        .build();
  }

  private static long pack(Table t) {
    long n = 0;
    try (DataLoader<TensorDict> loader = tokenLoader(t)) {
      for (PackedBatch p :
          SequencePacker.builder(loader, "tok")
              .sequenceLength(SEQ)
              .rowsPerBatch(SEQ_ROWS)
              .separator(0)
              .build()) {
        try (p) {
          n += p.inputIds().numel();
        }
      }
    }
    return n;
  }

  /** Conversions of one in-memory batch of 1024 docs, {@value #CONVERSIONS} per reading. */
  private void conversionLines(BufferAllocator a) {
    try (VectorSchemaRoot root = tokenRoot(a, BATCH, meanTokens)) {
      Runnable plain =
          () -> {
            for (int i = 0; i < CONVERSIONS; i++) {
              TorchBatch.fromRoot(root, a).close();
            }
          };
      Runnable jagged =
          () -> {
            for (int i = 0; i < CONVERSIONS; i++) {
              try (TorchBatch b = TorchBatch.fromRoot(root, a);
                  JaggedColumn j = b.jagged("tok")) {
                j.values();
              }
            }
          };
      Runnable padded =
          () -> {
            for (int i = 0; i < CONVERSIONS; i++) {
              try (TorchBatch b = TorchBatch.fromRoot(root, a);
                  PaddedColumn p = b.padded("tok", PadOptions.fixed(PAD))) {
                p.padded();
              }
            }
          };
      long[] ns = interleavedMedians(List.of(plain, jagged, padded));
      double base = ns[0] / 1e3 / CONVERSIONS;
      String detail = String.format("export + import alone %.1f µs", base);
      report.add(
          SECTION,
          "per batch of 1024 docs: export + import + jagged values/offsets tensors + close",
          String.format("%.1f", ns[1] / 1e3 / CONVERSIONS),
          "µs/batch",
          detail,
          String.format("%+.1f µs for the jagged tensors", ns[1] / 1e3 / CONVERSIONS - base));
      report.add(
          SECTION,
          String.format("per batch of 1024 docs: export + import + padded (L=%d) + close", PAD),
          String.format("%.1f", ns[2] / 1e3 / CONVERSIONS),
          "µs/batch",
          detail,
          String.format("%+.1f µs for the padding pass", ns[2] / 1e3 / CONVERSIONS - base));
    }
  }

  static VectorSchemaRoot pngRoot(BufferAllocator a, int n) throws IOException {
    Schema s = new Schema(List.of(Field.notNullable("png", ArrowType.Binary.INSTANCE)));
    VectorSchemaRoot root = VectorSchemaRoot.create(s, a);
    VarBinaryVector v = (VarBinaryVector) root.getVector("png");
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    SplittableRandom rnd = new SplittableRandom(2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < px.length; i++) {
        px[i] =
            (byte)
                (i % 28 < 14
                    ? rnd.nextInt(256)
                    : 0); // half noise, half flat (like sparse MNIST images)
      }
      out.reset();
      ImageIO.write(img, "png", out);
      v.setSafe(r, out.toByteArray());
    }
    v.setValueCount(n);
    root.setRowCount(n);
    return root;
  }

  private void imageLines(Table png) {
    long n = png.countRows();
    List<Runnable> runs = new java.util.ArrayList<>();
    for (int workers = 1; workers <= 2; workers++) {
      int w = workers;
      runs.add(() -> decodeAll(png, w, n));
    }
    long[] ns = interleavedMedians(runs);
    double one = n / (ns[0] / 1e9);
    double two = n / (ns[1] / 1e9);
    String what = "PNG decode (28x28 gray, JDK ImageIO) as the loader's collate, %d images, %s";
    report.add(
        SECTION,
        String.format(what, n, "1 worker"),
        String.format("%.0f", one),
        "images/s",
        String.format("%.1f µs per image", 1e6 / one),
        "");
    report.add(
        SECTION,
        String.format(what, n, "2 workers"),
        String.format("%.0f", two),
        "images/s",
        String.format("1 worker %.0f images/s", one),
        String.format("%.2f× 1 worker", two / one));
  }

  private static void decodeAll(Table png, int workers, long expected) {
    long decoded = 0;
    try (DataLoader<TensorDict> loader =
        DataLoader.builder(Permutation.identity(png).withFormat(Format.TORCH_DICT))
            .batchSize(256)
            .numWorkers(workers)
            .collate(ImageDecoder.of("png").channels(1))
            .build()) {
      for (TensorDict d : loader) {
        try (d) {
          decoded += d.get("png").size(0);
        }
      }
    }
    if (decoded != expected) {
      throw new IllegalStateException("decoded " + decoded + " images of " + expected);
    }
  }
}
