package dev.lancetorch.demo;

import dev.lancetorch.Connection;
import dev.lancetorch.Table;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Fashion-MNIST as a LanceDB table: {@code image: FixedSizeList<uint8, 784>}, {@code label: int64},
 * {@code split: utf8} ("train" / "t10k", the official sets). Data from Debian's {@code
 * dataset-fashion-mnist} package (fetched without root by {@code scripts/fetch-fashion-mnist.sh});
 * if it cannot be had, a generated 10-class dataset of the same shape, said loudly.
 */
final class FashionMnist {
  static final int PIXELS = 28 * 28;
  static final String TRAIN = "train";
  static final String TEST = "t10k";

  private FashionMnist() {}

  static Schema schema() {
    Field image =
        new Field(
            "image",
            FieldType.notNullable(new ArrowType.FixedSizeList(PIXELS)),
            List.of(Field.notNullable("item", new ArrowType.Int(8, false))));
    return new Schema(
        List.of(
            image,
            Field.notNullable("label", new ArrowType.Int(64, true)),
            Field.notNullable("split", ArrowType.Utf8.INSTANCE)));
  }

  /** The table {@code name} in {@code db}, created from the data on first use. */
  static Table openOrCreate(Connection db, String name, Path projectDir) throws IOException {
    if (db.tableNames().contains(name)) {
      System.out.println("reusing table '" + name + "' in " + db.uri());
      return db.openTable(name);
    }
    Data train;
    Data test;
    Path dir = fetch(projectDir);
    if (dir != null) {
      train =
          read(
              dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"));
      test =
          read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
      System.out.printf(
          "Fashion-MNIST from Debian package dataset-fashion-mnist (%s): %d train, %d test%n",
          dir, train.labels.length, test.labels.length);
    } else {
      System.out.println(
          "WARNING: Debian package dataset-fashion-mnist could not be fetched; using a GENERATED"
              + " 10-class dataset of the same shape instead (accuracy figures are not"
              + " Fashion-MNIST's)");
      train = generated(12_000, 1);
      test = generated(2_000, 2);
    }
    long t0 = System.nanoTime();
    try (VectorSchemaRoot root = toArrow(db.allocator(), train, test)) {
      Table t = db.createTable(name, root);
      System.out.printf(
          "wrote table '%s' (%d rows) in %.2f s%n",
          name, t.countRows(), (System.nanoTime() - t0) / 1e9);
      return t;
    }
  }

  record Data(byte[] images, long[] labels) {}

  /** Runs the fetch script; the IDX directory, or null when the package cannot be had. */
  static Path fetch(Path projectDir) {
    Path script = projectDir.resolve("scripts/fetch-fashion-mnist.sh");
    try {
      Process p =
          new ProcessBuilder("bash", script.toString())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() == 0 && !out.isEmpty() && Files.isDirectory(Path.of(out))) {
        return Path.of(out);
      }
    } catch (IOException e) {
      System.err.println("fetch-fashion-mnist failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  /** Reads an IDX image file (magic 2051) and label file (magic 2049), gzip-compressed. */
  static Data read(Path images, Path labels) throws IOException {
    byte[] img;
    long[] lab;
    try (DataInputStream in = new DataInputStream(gunzip(images))) {
      check(in.readInt(), 2051, images);
      int n = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (rows * cols != PIXELS) {
        throw new IOException(images + ": images are " + rows + "x" + cols + ", expected 28x28");
      }
      img = new byte[n * PIXELS];
      in.readFully(img);
    }
    try (DataInputStream in = new DataInputStream(gunzip(labels))) {
      check(in.readInt(), 2049, labels);
      int n = in.readInt();
      byte[] b = new byte[n];
      in.readFully(b);
      lab = new long[n];
      for (int i = 0; i < n; i++) {
        lab[i] = b[i] & 0xFF;
      }
    }
    if (img.length != lab.length * PIXELS) {
      throw new IOException(images + " and " + labels + " hold different numbers of items");
    }
    return new Data(img, lab);
  }

  private static InputStream gunzip(Path p) throws IOException {
    return new GZIPInputStream(Files.newInputStream(p), 1 << 16);
  }

  private static void check(int magic, int expected, Path p) throws IOException {
    if (magic != expected) {
      throw new IOException(p + ": IDX magic " + magic + ", expected " + expected);
    }
  }

  /** Ten noisy class prototypes; learnable but not trivially. */
  static Data generated(int n, long seed) {
    SplittableRandom protoRnd = new SplittableRandom(42);
    int[][] protos = new int[10][PIXELS];
    for (int[] p : protos) {
      for (int j = 0; j < PIXELS; j++) {
        p[j] = protoRnd.nextInt(256);
      }
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] img = new byte[n * PIXELS];
    long[] lab = new long[n];
    for (int i = 0; i < n; i++) {
      int c = rnd.nextInt(10);
      lab[i] = c;
      for (int j = 0; j < PIXELS; j++) {
        int v = protos[c][j] + (int) (rnd.nextGaussian() * 90);
        img[i * PIXELS + j] = (byte) Math.max(0, Math.min(255, v));
      }
    }
    return new Data(img, lab);
  }

  static VectorSchemaRoot toArrow(BufferAllocator a, Data train, Data test) {
    int n = train.labels.length + test.labels.length;
    VectorSchemaRoot root = VectorSchemaRoot.create(schema(), a);
    try {
      FixedSizeListVector image = (FixedSizeListVector) root.getVector("image");
      BigIntVector label = (BigIntVector) root.getVector("label");
      VarCharVector split = (VarCharVector) root.getVector("split");
      image.setInitialCapacity(n);
      label.allocateNew(n);
      split.allocateNew((long) n * 5, n);
      image.allocateNew();
      UInt1Vector pixels = (UInt1Vector) image.getDataVector();
      pixels.allocateNew(n * PIXELS);
      int row = 0;
      for (Data d : List.of(train, test)) {
        byte[] name = (d == train ? TRAIN : TEST).getBytes(StandardCharsets.UTF_8);
        // bulk copy of the pixel bytes straight into the Arrow data buffer
        pixels.getDataBuffer().setBytes((long) row * PIXELS, d.images, 0, d.images.length);
        for (int i = 0; i < d.labels.length; i++, row++) {
          image.setNotNull(row);
          label.set(row, d.labels[i]);
          split.setSafe(row, name);
        }
      }
      pixels.getValidityBuffer().setOne(0, (int) ((long) n * PIXELS + 7) / 8);
      pixels.setValueCount(n * PIXELS);
      image.setValueCount(n);
      label.setValueCount(n);
      split.setValueCount(n);
      root.setRowCount(n);
      return root;
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }
}
