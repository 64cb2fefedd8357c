package dev.lancetorch.demo;

import dev.lancetorch.Connection;
import dev.lancetorch.Table;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.ImageDecoder;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.Permutations;
import dev.lancetorch.permutation.TensorDict;
import dev.lancetorch.torch.NativeLibrary;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The image job ({@code make demo ARGS="--images"}): Fashion-MNIST stored as PNG bytes in a LanceDB
 * table ({@code fashion_mnist_png}: {@code png} binary, {@code label}, {@code split}; encoded once
 * from the {@code fashion_mnist} table of the main demo), read as jagged bytes ({@code png} +
 * {@code png.offsets}), decoded to (R, 1, 28, 28) uint8 by {@link ImageDecoder} in the loader's
 * workers, and a small CNN trained on them.
 */
final class ImageDemo {
  /** The learning rate is {@code --lr} × this per epoch done (step decay). */
  static final double LR_DECAY = 0.5;

  private ImageDemo() {}

  /** Sets every parameter group's learning rate; returns the first group's, read back. */
  static double setLearningRate(Optimizer optimizer, double lr) {
    OptimizerParamGroupVector groups = optimizer.param_groups();
    for (long i = 0; i < groups.size(); i++) {
      groups.get(i).options().set_lr(lr);
    }
    return groups.get(0).options().get_lr();
  }

  static void run(DemoArgs a) throws IOException {
    NativeLibrary.load();
    torch.manual_seed(a.seed());
    // the thread budget's count (1 on 2 cores: decoding a batch costs a few % of its training step)
    int workers = Demo.workers(a);
    System.out.printf(
        "lance-torch image demo: epochs=%d batch=%d workers=%d db=%s (%d cores)%n",
        a.epochs(), a.batchSize(), workers, a.db(), Runtime.getRuntime().availableProcessors());
    long start = System.nanoTime();
    try (RootAllocator allocator = new RootAllocator();
        Connection db = Demo.connect(a, allocator);
        Table pixels = Demo.fashionMnist(db);
        Table images = pngTable(db, pixels);
        Table split = Demo.splitTable(db, images, "fashion_mnist_png_split", a.seed())) {
      Permutations splits = Permutations.of(images, split);
      long cache = a.memoryCacheMb() << 20;
      Permutation<TensorDict> train = Demo.cachedSplit(splits, "train", "png", cache);
      Permutation<TensorDict> test = Demo.cachedSplit(splits, "test", "png", cache);
      Demo.printSplits(splits, train, test);
      ImageDecoder decode = ImageDecoder.of("png").channels(1);
      CnnClassifier model = new CnnClassifier();
      Adam optimizer = new Adam(model.parameters(), new AdamOptions(a.lr()));
      DataLoader.Builder<TensorDict, TensorDict> builder =
          Demo.shuffledLoader(train, a, workers).collate(decode);
      if (a.progress()) {
        builder.progressBar("train");
      }
      double acc = 0;
      try (train;
          test;
          DataLoader<TensorDict> loader = builder.build()) {
        for (int epoch = 0; epoch < a.epochs(); epoch++) {
          loader.setEpoch(epoch);
          double lr = setLearningRate(optimizer, a.lr() * Math.pow(LR_DECAY, epoch));
          Training.Epoch e =
              Training.trainEpoch(
                  loader, model, model::forward, "png", optimizer, a.maxBatches(), a.maxSeconds());
          double secs = e.nanos() / 1e9;
          acc = a.eval() ? accuracy(model, test, decode, workers) : Double.NaN;
          System.out.printf(
              "epoch %d (lr %.2g): mean loss %.4f, %d images decoded and trained in %.2f s "
                  + "(%.0f images/s), test accuracy %.2f%%%n",
              epoch + 1, lr, e.meanLoss(), e.rows(), secs, e.rows() / secs, 100 * acc);
        }
        System.out.println("loader metrics: " + loader.metrics());
      }
      System.out.printf(
          "RESULT: image job test accuracy %.2f%% after %d epochs (CNN on PNG bytes decoded in %d "
              + "workers), wall time %.1f s%n",
          100 * acc, a.epochs(), workers, (System.nanoTime() - start) / 1e9);
    }
  }

  static double accuracy(
      CnnClassifier model, Permutation<TensorDict> test, ImageDecoder decode, int workers) {
    try (DataLoader<TensorDict> loader =
        DataLoader.builder(test).batchSize(1000).numWorkers(workers).collate(decode).build()) {
      return Training.accuracy(loader, model, model::forward, "png");
    }
  }

  /** The PNG table, encoded once from the pixel table (one PNG per image, JDK ImageIO). */
  static Table pngTable(Connection db, Table pixels) {
    String name = "fashion_mnist_png";
    if (db.tableNames().contains(name)) {
      return db.openTable(name);
    }
    long t0 = System.nanoTime();
    Table out = null;
    Permutation<ArrowBatch> all =
        Permutation.identity(pixels).selectColumns("image", "label", "split");
    try (var it = all.iter(10_000, false)) {
      while (it.hasNext()) {
        try (ArrowBatch b = it.next();
            VectorSchemaRoot png = encode(db.allocator(), b.root())) {
          if (out == null) {
            out = db.createTable(name, png);
          } else {
            out.add(png);
          }
        }
      }
    }
    System.out.printf(
        "encoded %d images as PNG into '%s' in %.1f s%n",
        out.countRows(), name, (System.nanoTime() - t0) / 1e9);
    return out;
  }

  static Schema pngSchema() {
    return new Schema(
        List.of(
            Field.notNullable("png", ArrowType.Binary.INSTANCE),
            Field.notNullable("label", new ArrowType.Int(64, true)),
            Field.notNullable("split", ArrowType.Utf8.INSTANCE)));
  }

  static VectorSchemaRoot encode(BufferAllocator allocator, VectorSchemaRoot src) {
    FixedSizeListVector image = (FixedSizeListVector) src.getVector("image");
    UInt1Vector pixels = (UInt1Vector) image.getDataVector();
    BigIntVector label = (BigIntVector) src.getVector("label");
    VarCharVector split = (VarCharVector) src.getVector("split");
    VectorSchemaRoot out = VectorSchemaRoot.create(pngSchema(), allocator);
    try {
      out.allocateNew();
      VarBinaryVector png = (VarBinaryVector) out.getVector("png");
      BigIntVector l = (BigIntVector) out.getVector("label");
      VarCharVector s = (VarCharVector) out.getVector("split");
      BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
      byte[] raster = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      for (int r = 0; r < src.getRowCount(); r++) {
        for (int p = 0; p < FashionMnist.PIXELS; p++) {
          raster[p] = pixels.get(r * FashionMnist.PIXELS + p);
        }
        bytes.reset();
        ImageIO.write(img, "png", bytes);
        png.setSafe(r, bytes.toByteArray());
        l.setSafe(r, label.get(r));
        s.setSafe(r, split.get(r));
      }
      out.setRowCount(src.getRowCount());
      return out;
    } catch (IOException e) {
      out.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }
}
