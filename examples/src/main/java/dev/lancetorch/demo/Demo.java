package dev.lancetorch.demo;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.Permutations;
import dev.lancetorch.permutation.TensorDict;
import dev.lancetorch.threads.ThreadBudget;
import dev.lancetorch.torch.NativeLibrary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code make demo}: Fashion-MNIST → LanceDB table → permutation (official train/test split,
 * shuffled) → DataLoader with workers and {@link Format#TORCH_DICT} batches → a LibTorch MLP
 * trained in Java → test accuracy and throughput.
 *
 * <p>Flags: {@code --epochs N} (3), {@code --batch-size N} (128), {@code --workers N} (the {@link
 * ThreadBudget}'s recommendation: 1 on 2 cores), {@code --db PATH} ({@code data/lancedb}), {@code
 * --lr X} (0.001), {@code --seed N} (7), {@code --memory-cache-mb N} (256; 0 = one Lance take per
 * batch), {@code --max-batches N} and {@code --max-seconds S} (stop each epoch's training after N
 * batches or S seconds) and {@code --no-eval} (skip the test set) for timing runs, {@code
 * --no-progress}. Threads: see {@link ThreadBudget} ({@code -Dlancetorch.threads=off} keeps every
 * library's own default).
 */
public final class Demo {
  /** The system property that picks JavaCPP's logger. */
  static final String JAVACPP_LOGGER = "org.bytedeco.javacpp.logger";

  private Demo() {}

  /** Runs the demo; see the class docs for flags. */
  public static void main(String[] args) throws Exception {
    // JavaCPP's own log lines through SLF4J, so through the examples' logback.xml (unless set
    // already)
    if (System.getProperty(JAVACPP_LOGGER) == null) {
      System.setProperty(JAVACPP_LOGGER, "slf4j");
    }
    DemoArgs a = DemoArgs.parse(args);
    if (a.images()) {
      ImageDemo.run(a);
      return;
    }
    NativeLibrary
        .load(); // applies the thread budget (ThreadBudget) before libtorch starts its pools
    int workers = workers(a);
    torch.manual_seed(a.seed());
    System.out.printf(
        "lance-torch demo: epochs=%d batch=%d workers=%d db=%s (%d cores, java %s)%n",
        a.epochs(),
        a.batchSize(),
        workers,
        a.db(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    try (RootAllocator allocator = new RootAllocator();
        Connection db = connect(a, allocator);
        Table images = fashionMnist(db);
        Table split = splitTable(db, images, a.seed())) {
      Permutations splits = Permutations.of(images, split);
      // Shuffled reads gather from an in-memory copy of the two columns (55 MB) instead of one
      // Lance take per batch.
      long cache = a.memoryCacheMb() << 20;
      Permutation<TensorDict> train = cachedSplit(splits, "train", "image", cache);
      Permutation<TensorDict> test = cachedSplit(splits, "test", "image", cache);
      printSplits(splits, train, test);

      MlpClassifier model = new MlpClassifier();
      Adam optimizer = new Adam(model.parameters(), new AdamOptions(a.lr()));
      long trainRows = 0;
      long trainNanos = 0;
      DataLoader.Builder<TensorDict, TensorDict> builder = shuffledLoader(train, a, workers);
      if (a.progress()) {
        builder.progressBar("train");
      }
      try (train;
          test;
          DataLoader<TensorDict> loader = builder.build()) {
        for (int epoch = 0; epoch < a.epochs(); epoch++) {
          loader.setEpoch(epoch);
          Training.Epoch e =
              Training.trainEpoch(
                  loader,
                  model,
                  model::forward,
                  "image",
                  optimizer,
                  a.maxBatches(),
                  a.maxSeconds());
          long dt = e.nanos();
          long rows = e.rows();
          trainRows += rows;
          trainNanos += dt;
          System.out.printf(
              "epoch %d: mean loss %.4f, %d rows in %.2f s (%.0f rows/s), test accuracy %.2f%%%n",
              epoch + 1,
              e.meanLoss(),
              rows,
              dt / 1e9,
              rows / (dt / 1e9),
              a.eval() ? 100 * accuracy(model, test, workers) : Double.NaN);
        }
        System.out.println("loader metrics: " + loader.metrics());
        double acc = a.eval() ? accuracy(model, test, workers) : Double.NaN;
        System.out.printf(
            "RESULT: test accuracy %.2f%% after %d epochs; training throughput %.0f rows/s "
                + "(model step included, %d workers)%n",
            100 * acc, a.epochs(), trainRows / (trainNanos / 1e9), workers);
      }
    }
  }

  /**
   * The official split as a permutation table (train = 0, test = 1), shuffled; built once, reused
   * after.
   */
  /** Shuffled batches of {@code --batch-size} rows in {@code workers} persistent workers. */
  static DataLoader.Builder<TensorDict, TensorDict> shuffledLoader(
      Permutation<TensorDict> train, DemoArgs a, int workers) {
    return DataLoader.builder(train)
        .batchSize(a.batchSize())
        .shuffle(true)
        .seed(a.seed())
        .numWorkers(workers)
        .persistentWorkers(true);
  }

  /** The database of {@code --db}, its Arrow memory from {@code allocator}. */
  static Connection connect(DemoArgs a, RootAllocator allocator) {
    return LanceDb.connect(
        a.db().toString(), ConnectOptions.builder().allocator(allocator).build());
  }

  /** The {@code fashion_mnist} table, made from the Fashion-MNIST files on first use. */
  static Table fashionMnist(Connection db) throws IOException {
    return FashionMnist.openOrCreate(db, "fashion_mnist", Path.of("").toAbsolutePath());
  }

  /** One split's {@code column} and {@code label} as tensor dicts, from a memory cache. */
  static Permutation<TensorDict> cachedSplit(
      Permutations splits, String split, String column, long cacheBytes) {
    return splits
        .split(split)
        .selectColumns(column, "label")
        .withFormat(Format.TORCH_DICT)
        .withMemoryCache(cacheBytes);
  }

  static void printSplits(Permutations splits, Permutation<?> train, Permutation<?> test) {
    System.out.printf(
        "splits %s: train %d rows, test %d rows%n",
        splits.splitNames(), train.numRows(), test.numRows());
  }

  static Table splitTable(Connection db, Table images, long seed) {
    return splitTable(db, images, "fashion_mnist_split", seed);
  }

  static Table splitTable(Connection db, Table images, String name, long seed) {
    if (db.tableNames().contains(name)) {
      return db.openTable(name);
    }
    long t0 = System.nanoTime();
    Table t =
        Permutation.builder(images)
            .splitCalculated(
                "CASE WHEN split = 'train' THEN 0 ELSE 1 END", List.of("train", "test"))
            .shuffle(seed)
            .persist(db, name);
    System.out.printf(
        "built permutation table '%s' in %.3f s%n", name, (System.nanoTime() - t0) / 1e9);
    return t;
  }

  /** {@code --workers}, else the thread budget's recommendation for this machine. */
  static int workers(DemoArgs a) {
    if (a.workers() != DemoArgs.BUDGET_WORKERS) {
      return a.workers();
    }
    ThreadBudget b = ThreadBudget.current();
    return (b != null ? b : ThreadBudget.resolve(System::getProperty, System::getenv))
        .loaderWorkers();
  }

  static double accuracy(MlpClassifier model, Permutation<TensorDict> test, int workers) {
    try (DataLoader<TensorDict> loader =
        DataLoader.builder(test).batchSize(1000).numWorkers(workers).build()) {
      return Training.accuracy(loader, model, model::forward, "image");
    }
  }
}
