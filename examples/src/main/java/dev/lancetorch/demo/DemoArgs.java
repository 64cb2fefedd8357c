package dev.lancetorch.demo;

import java.nio.file.Path;

/** Command-line flags of {@link Demo}. */
record DemoArgs(
    int epochs,
    int batchSize,
    int workers,
    Path db,
    double lr,
    long seed,
    long memoryCacheMb,
    boolean progress,
    long maxBatches,
    double maxSeconds,
    boolean eval,
    boolean images) {
  /** {@link #workers()} when {@code --workers} is not given: the thread budget's recommendation. */
  static final int BUDGET_WORKERS = -1;

  static DemoArgs parse(String[] args) {
    int epochs = 3;
    int batch = 128;
    int workers = BUDGET_WORKERS;
    long maxBatches = Long.MAX_VALUE;
    double maxSeconds = Double.POSITIVE_INFINITY;
    boolean eval = true;
    Path db = Path.of("data/lancedb");
    double lr = 1e-3;
    long seed = 7;
    long cacheMb = 256;
    boolean progress = true;
    boolean images = false;
    for (int i = 0; i < args.length; i++) {
      String f = args[i];
      if (f.equals("--no-progress")) {
        progress = false;
        continue;
      }
      if (f.equals("--images")) {
        images = true;
        continue;
      }
      if (f.equals("--no-eval")) {
        eval = false;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("flag " + f + " needs a value");
      }
      String v = args[++i];
      switch (f) {
        case "--epochs" -> epochs = Integer.parseInt(v);
        case "--batch-size" -> batch = Integer.parseInt(v);
        case "--workers" -> workers = Integer.parseInt(v);
        case "--db" -> db = Path.of(v);
        case "--lr" -> lr = Double.parseDouble(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--memory-cache-mb" -> cacheMb = Long.parseLong(v);
        case "--max-batches" -> maxBatches = Long.parseLong(v);
        case "--max-seconds" -> maxSeconds = Double.parseDouble(v);
        default ->
            throw new IllegalArgumentException(
                "unknown flag "
                    + f
                    + " (known: --epochs --batch-size --workers --db --lr --seed --memory-cache-mb"
                    + " --max-batches --max-seconds --no-eval --no-progress --images)");
      }
    }
    if (maxBatches < 1 || !(maxSeconds > 0)) {
      throw new IllegalArgumentException("--max-batches and --max-seconds must be positive");
    }
    return new DemoArgs(
        epochs,
        batch,
        workers,
        db,
        lr,
        seed,
        cacheMb,
        progress,
        maxBatches,
        maxSeconds,
        eval,
        images);
  }
}
