package dev.lancetorch.bench;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.loader.PackedBatch;
import dev.lancetorch.loader.SequencePacker;
import dev.lancetorch.permutation.ArrowBatch;
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
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Variable-length columns (issue 15), side by side in one run: a token column ({@code list<int32>},
 * lengths uniform in [0, 2 × mean]) read as a raw Arrow scan (bytes/s of its values + offsets
 * buffers), as jagged {@code TORCH_DICT} tensors, as padded batches and as packed LM rows
 * (tokens/s); the per-batch cost of the jagged and padded conversions (µs, median); and PNG images
 * (28×28 gray) decoded by {@link ImageDecoder} in a loader with 1 and 2 workers (images/s). Run:
 * {@code make build && java --add-opens=java.base/java.nio=ALL-UNNAMED -cp
 * bench/target/classes:$(cat bench/target/classpath.txt) dev.lancetorch.bench.VariableLengthBench
 * [--docs N] [--mean-tokens N] [--images N]}.
 */
public final class VariableLengthBench {
  private VariableLengthBench() {}

  public static void main(String[] args) throws Exception {
    int docs = 100_000;
    int mean = 64;
    int images = 10_000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--docs" -> docs = Integer.parseInt(args[i + 1]);
        case "--mean-tokens" -> mean = Integer.parseInt(args[i + 1]);
        case "--images" -> images = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    NativeLibrary.load();
    Path dir = Files.createTempDirectory("lt-varlen-bench");
    try (RootAllocator a = new RootAllocator();
        Connection db =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(a).build())) {
      Table tokens;
      try (VectorSchemaRoot root = tokenRoot(a, docs, mean)) {
        tokens = db.createTable("tokens", root);
      }
      try (tokens) {
        tokenLines(tokens, docs);
      }
      conversionLines(a, mean);
      Table png;
      try (VectorSchemaRoot root = pngRoot(a, images)) {
        png = db.createTable("png", root);
      }
      try (png) {
        imageLines(png);
      }
    }
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

  static void tokenLines(Table t, int docs) {
    int batch = 1024;
    long tokens = 0;
    long bytes = 0;
    long t0 = System.nanoTime();
    Permutation<ArrowBatch> raw = Permutation.identity(t);
    try (var it = raw.iter(batch, false)) {
      while (it.hasNext()) {
        try (ArrowBatch b = it.next()) {
          ListVector v = (ListVector) b.root().getVector("tok");
          tokens += v.getDataVector().getValueCount();
          bytes += v.getBufferSize();
        }
      }
    }
    double rawSecs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "raw Arrow scan of the token column: %.0f MB/s (%.2f M tokens/s), %d docs, %d tokens%n",
        bytes / rawSecs / 1e6, tokens / rawSecs / 1e6, docs, tokens);
    double jagged =
        tokensPerSecond(Permutation.identity(t).withFormat(Format.TORCH_DICT), batch, tokens);
    double padded =
        tokensPerSecond(
            Permutation.identity(t)
                .withFormat(Format.torchDict(Map.of("tok", PadOptions.fixed(128)))),
            batch,
            tokens);
    long packT0 = System.nanoTime();
    long packed = 0;
    try (DataLoader<TensorDict> loader =
        DataLoader.builder(Permutation.identity(t).withFormat(Format.TORCH_DICT))
            .batchSize(batch)
            .build()) {
      for (PackedBatch p :
          SequencePacker.builder(loader, "tok")
              .sequenceLength(512)
              .rowsPerBatch(8)
              .separator(0)
              .build()) {
        try (p) {
          packed += p.inputIds().numel();
        }
      }
    }
    double packedRate = packed / ((System.nanoTime() - packT0) / 1e9);
    double rawRate = tokens / rawSecs;
    System.out.printf(
        "jagged TORCH_DICT: %.2f M tokens/s (%.2fx raw scan)%n", jagged / 1e6, jagged / rawRate);
    System.out.printf(
        "padded TORCH_DICT (L=128): %.2f M tokens/s (%.2fx raw scan)%n",
        padded / 1e6, padded / rawRate);
    System.out.printf(
        "packed rows (L=512, B=8, loader 0 workers): %.2f M tokens/s (%.2fx raw scan)%n",
        packedRate / 1e6, packedRate / rawRate);
  }

  static double tokensPerSecond(Permutation<TensorDict> p, int batch, long tokens) {
    long t0 = System.nanoTime();
    try (var it = p.iter(batch, false)) {
      while (it.hasNext()) {
        it.next().close();
      }
    }
    return tokens / ((System.nanoTime() - t0) / 1e9);
  }

  static void conversionLines(BufferAllocator a, int mean) {
    try (VectorSchemaRoot root = tokenRoot(a, 1024, mean)) {
      long jagged =
          Measure.medianNanos(
              201,
              () ->
                  Measure.time(
                      () -> {
                        try (TorchBatch b = TorchBatch.fromRoot(root, a);
                            JaggedColumn j = b.jagged("tok")) {
                          j.values();
                        }
                      }));
      long padded =
          Measure.medianNanos(
              201,
              () ->
                  Measure.time(
                      () -> {
                        try (TorchBatch b = TorchBatch.fromRoot(root, a);
                            PaddedColumn p = b.padded("tok", PadOptions.fixed(128))) {
                          p.padded();
                        }
                      }));
      System.out.printf(
          "per batch of 1024 docs (export + import + convert + close): jagged %.1f us, padded"
              + " (L=128) %.1f us%n",
          jagged / 1e3, padded / 1e3);
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

  static void imageLines(Table png) {
    long n = png.countRows();
    double[] rate = new double[3];
    for (int workers = 1; workers <= 2; workers++) {
      Permutation<TensorDict> p = Permutation.identity(png).withFormat(Format.TORCH_DICT);
      long t0 = System.nanoTime();
      long decoded = 0;
      try (DataLoader<TensorDict> loader =
          DataLoader.builder(p)
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
      rate[workers] = decoded / ((System.nanoTime() - t0) / 1e9);
    }
    System.out.printf(
        "PNG decode (28x28 gray, JDK ImageIO) in the loader: 1 worker %.0f images/s, 2 workers %.0f"
            + " images/s (%.2fx), %d images%n",
        rate[1], rate[2], rate[2] / rate[1], n);
  }
}
