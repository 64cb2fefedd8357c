package dev.lancetorch.examples;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.CreateMode;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.Permutation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Data-parallel training over torch.distributed (Gloo, CPU): every rank reads its shard of one
 * permutation through {@code DataLoader...distributed(rank, worldSize)}, computes gradients of a
 * small model (linear regression {@code y ~ w·x + b}), all-reduces (averages) them and steps; the
 * ranks therefore keep identical parameters.
 *
 * <p>Run one process per rank (same arguments except {@code --rank}):
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp lance-torch.jar:... \
 *   dev.lancetorch.examples.DistributedTrain \
 *   --db s3://bucket/train --table points --rank 0 --world-size 2 --master 10.0.0.1:29500 \
 *     [--bind 10.0.0.1] \
 *   [--epochs 2] [--batch-size 25] [--seed 7] [--report rank0.txt] [--create 1000]
 * </pre>
 *
 * The table needs columns {@code id} (int64), {@code x}, {@code y} (float64); {@code --create N}
 * writes such a table ({@code y = 3x + 1}) first when it is missing (run it once, before starting
 * the ranks). Storage options for {@code s3://} come from {@code --storage key=value} (repeatable);
 * for {@code db://}, {@code --api-key} and {@code --host}. {@code --report FILE} writes, per epoch,
 * the ids this rank trained on, and the final parameters.
 */
public final class DistributedTrain {
  private DistributedTrain() {}

  /** One collated batch, plain Java (the Arrow batch is closed in the worker). */
  record Step(long[] ids, float[] x, float[] y) {}

  public static void main(String[] argv) throws IOException {
    Map<String, String> a = new HashMap<>();
    Map<String, String> storage = new LinkedHashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      if (argv[i].equals("--storage")) {
        String[] kv = argv[i + 1].split("=", 2);
        storage.put(kv[0], kv.length > 1 ? kv[1] : "");
      } else {
        a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
      }
    }
    ConnectOptions.Builder ob = ConnectOptions.builder().storageOptions(storage);
    if (a.containsKey("api-key")) {
      ob.apiKey(a.get("api-key"));
    }
    if (a.containsKey("host")) {
      ob.hostOverride(a.get("host"));
    }
    String db = required(a, "db");
    String tableName = a.getOrDefault("table", "points");
    if (a.containsKey("create")) {
      try (Connection c = LanceDb.connect(db, ob.build())) {
        createTable(c, tableName, Integer.parseInt(a.get("create")));
      }
      if (!a.containsKey("rank")) {
        return;
      }
    }
    String[] master = required(a, "master").split(":");
    int rank = Integer.parseInt(required(a, "rank"));
    int world = Integer.parseInt(required(a, "world-size"));
    List<String> report =
        train(
            db,
            ob.build(),
            tableName,
            rank,
            world,
            master[0],
            Integer.parseInt(master[1]),
            a.getOrDefault("bind", master[0]),
            Integer.parseInt(a.getOrDefault("epochs", "2")),
            Integer.parseInt(a.getOrDefault("batch-size", "25")),
            Long.parseLong(a.getOrDefault("seed", "7")));
    if (a.containsKey("report")) {
      Files.write(Path.of(a.get("report")), report, StandardCharsets.UTF_8);
    } else {
      try (PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8)) {
        report.forEach(out::println);
      }
    }
  }

  /** Writes {@code n} rows (id, x = id / n, y = 3x + 1) if table {@code name} is missing. */
  public static void createTable(Connection c, String name, int n) {
    List<Map<String, Object>> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double x = (double) i / n;
      rows.add(Map.of("id", (long) i, "x", x, "y", 3 * x + 1));
    }
    c.createTable(name, rows, CreateMode.EXIST_OK).close();
  }

  /**
   * Trains and returns the report lines: {@code epoch E ids i1,i2,...} per epoch, then {@code
   * params w b} (exact float bits as hex, then readable).
   */
  public static List<String> train(
      String db,
      ConnectOptions options,
      String tableName,
      int rank,
      int world,
      String masterHost,
      int masterPort,
      String bindHost,
      int epochs,
      int batchSize,
      long seed) {
    List<String> report = new ArrayList<>();
    try (GlooGroup group = new GlooGroup(masterHost, masterPort, bindHost, rank, world, 60_000);
        Connection c = LanceDb.connect(db, options);
        Table t = c.openTable(tableName);
        DataLoader<Step> loader =
            DataLoader.builder(Permutation.identity(t).selectColumns("id", "x", "y"))
                .batchSize(batchSize)
                .shuffle(true)
                .seed(seed)
                .numWorkers(1)
                .distributed(rank, world)
                .collate(DistributedTrain::collate)
                .build()) {
      torch.manual_seed(seed);
      LinearImpl model = new LinearImpl(1, 1);
      try (TensorVector params = model.parameters()) {
        for (long i = 0; i < params.size(); i++) {
          group.broadcast(params.get(i), 0);
        }
        SGD opt = new SGD(params, new SGDOptions(0.5));
        for (int epoch = 0; epoch < epochs; epoch++) {
          StringBuilder ids = new StringBuilder();
          for (Step s : loader) {
            for (long id : s.ids()) {
              ids.append(ids.length() == 0 ? "" : ",").append(id);
            }
            step(model, opt, params, group, s);
          }
          report.add("epoch " + epoch + " ids " + ids);
        }
        float w = model.weight().item().toFloat();
        float b = model.bias().item().toFloat();
        report.add(
            "params "
                + Integer.toHexString(Float.floatToIntBits(w))
                + " "
                + Integer.toHexString(Float.floatToIntBits(b))
                + " (w="
                + w
                + ", b="
                + b
                + ")");
        opt.close();
      }
      model.close();
    }
    return report;
  }

  private static void step(
      LinearImpl model, SGD opt, TensorVector params, GlooGroup group, Step s) {
    try (PointerScope scope = new PointerScope()) {
      long n = s.ids().length;
      Tensor x = Tensor.create(s.x()).reshape(n, 1);
      Tensor y = Tensor.create(s.y()).reshape(n, 1);
      opt.zero_grad();
      torch.mse_loss(model.forward(x), y).backward();
      for (long i = 0; i < params.size(); i++) {
        group.allReduceMean(params.get(i).grad());
      }
      opt.step();
    }
  }

  private static Step collate(ArrowBatch b) {
    try (b) {
      BigIntVector id = (BigIntVector) b.column("id");
      Float8Vector x = (Float8Vector) b.column("x");
      Float8Vector y = (Float8Vector) b.column("y");
      int n = b.numRows();
      long[] ids = new long[n];
      float[] xs = new float[n];
      float[] ys = new float[n];
      for (int i = 0; i < n; i++) {
        ids[i] = id.get(i);
        xs[i] = (float) x.get(i);
        ys[i] = (float) y.get(i);
      }
      return new Step(ids, xs, ys);
    }
  }

  private static String required(Map<String, String> a, String key) {
    String v = a.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + key + " (see the class documentation)");
    }
    return v;
  }
}
