package example;

import static org.bytedeco.pytorch.global.torch.log_softmax;
import static org.bytedeco.pytorch.global.torch.nll_loss;

import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.TensorDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * README.md's example as a program of a user's project (consumer-test/ declares only {@code
 * dev.lancetorch:lance-torch-platform}): writes two small generated tables, trains a linear
 * classifier on "train" through a 2-worker {@link DataLoader} built on the table (LanceDB's {@code
 * DataLoader(table, ...)}), and fails unless the accuracy on "test" shows it learned. {@code make
 * test} runs it.
 */
public final class ReadmeExample {
  static final int FEATURES = 16;

  private ReadmeExample() {}

  /**
   * Runs the example.
   *
   * @param args the directory for the database (default: a new temporary directory)
   */
  public static void main(String[] args) throws Exception {
    Path parent = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
    Files.createDirectories(parent);
    String uri = Files.createTempDirectory(parent, "readme-db").toString();
    writePoints(uri, 4_000, 11);
    double accuracy = train(uri);
    System.out.printf("README example: test accuracy %.3f%n", accuracy);
    if (accuracy < 0.9) {
      System.err.println("README example: the classifier did not learn (accuracy < 0.9)");
      System.exit(1);
    }
  }

  /** Trains on table "train"; returns the accuracy on table "test". */
  static double train(String uri) {
    // README:begin
    try (Connection db = LanceDb.connect(uri);
        Table train = db.openTable("train");
        // LanceDB's DataLoader(table, batch_size=128, shuffle=True), in zero-copy tensor batches
        DataLoader<TensorDict> loader =
            DataLoader.builder(train, Format.TORCH_DICT)
                .batchSize(128)
                .shuffle(true)
                .seed(7)
                .numWorkers(2)
                .build()) {
      LinearImpl model = new LinearImpl(FEATURES, 2); // any org.bytedeco.pytorch.Module
      Adam opt = new Adam(model.parameters(), new AdamOptions(1e-2));
      for (int epoch = 0; epoch < 3; epoch++) { // each pass over the loader is one epoch
        for (TensorDict batch : loader) { // each worker reads through its own table handle
          try (batch;
              PointerScope scope = new PointerScope()) {
            // (R, 16) float32: a zero-copy view of the Arrow batch
            Tensor x = batch.get("features");
            Tensor loss = nll_loss(log_softmax(model.forward(x), 1), batch.get("label"));
            opt.zero_grad();
            loss.backward();
            opt.step();
          }
        }
        System.out.println(
            "after epoch " + epoch + ", data wait so far: " + loader.metrics().dataWait());
      }
      try (Table test = db.openTable("test")) {
        return accuracy(model, Permutation.identity(test));
      }
    }
    // README:end
  }

  /**
   * The share of rows of {@code test} that {@code model} classifies right (closes {@code test}).
   */
  static double accuracy(LinearImpl model, Permutation<?> test) {
    long correct = 0;
    long total = 0;
    try (NoGradGuard noGrad = new NoGradGuard();
        Permutation<TensorDict> rows =
            test.selectColumns("features", "label").withFormat(Format.TORCH_DICT)) {
      for (TensorDict batch : rows) {
        try (batch;
            PointerScope scope = new PointerScope()) {
          Tensor predicted =
              model.forward(batch.get("features")).argmax(new LongOptional(1), false);
          correct += predicted.eq(batch.get("label")).sum().item_long();
          total += batch.get("label").size(0);
        }
      }
    } finally {
      test.close();
    }
    return total == 0 ? 0 : (double) correct / total;
  }

  /**
   * Writes tables "train" (80% of the rows) and "test": {@code features} (16 float32, a fixed-size
   * list), {@code label} (int64, which side of a fixed hyperplane the point lies).
   */
  static void writePoints(String uri, int rows, long seed) {
    Random random = new Random(seed);
    float[] normal = new float[FEATURES];
    for (int i = 0; i < FEATURES; i++) {
      normal[i] = (float) random.nextGaussian();
    }
    List<Map<String, Object>> train = new ArrayList<>(rows);
    List<Map<String, Object>> test = new ArrayList<>(rows / 4);
    for (int r = 0; r < rows; r++) {
      float[] features = new float[FEATURES];
      double dot = 0;
      for (int i = 0; i < FEATURES; i++) {
        features[i] = (float) random.nextGaussian();
        dot += features[i] * normal[i];
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("features", features);
      row.put("label", dot > 0 ? 1L : 0L);
      (random.nextInt(5) == 0 ? test : train).add(row);
    }
    try (Connection db = LanceDb.connect(uri)) {
      db.createTable("train", train).close();
      db.createTable("test", test).close();
    }
  }
}
