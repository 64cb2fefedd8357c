package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.Closeables;
import dev.lancetorch.internal.loader.Delivered;
import dev.lancetorch.internal.loader.DistributedShard;
import dev.lancetorch.internal.loader.EpochRun;
import dev.lancetorch.internal.loader.InlineStream;
import dev.lancetorch.internal.loader.LoaderMetrics;
import dev.lancetorch.internal.loader.LoaderTask;
import dev.lancetorch.internal.loader.LoaderThreadNames;
import dev.lancetorch.internal.loader.ProgressBarListener;
import dev.lancetorch.internal.loader.TaskStream;
import dev.lancetorch.internal.loader.WorkerPool;
import dev.lancetorch.internal.loader.YieldTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * Batches from a {@link BatchSource}, loaded by worker threads, after PyTorch's {@code DataLoader}
 * and torchdata's {@code StatefulDataLoader}.
 *
 * <p><b>Epoch order.</b> The sampler gives the epoch's global offset order from {@code (seed,
 * epoch)} (identical on every rank); it is sharded like PyTorch's {@code DistributedSampler} (rank
 * r takes positions r, r+worldSize, ...; padded by wrapping around to a multiple of worldSize, or
 * truncated with {@code dropUneven}); the batch sampler cuts the rank's share into batches numbered
 * 0.. — the <i>batch order</i>. With {@code inOrder} (default) batches are yielded in batch order
 * whatever the number of workers; without it, in the order they become ready. Batch i is loaded by
 * worker {@code i % numWorkers}.
 *
 * <p><b>Epochs.</b> Each {@link #iterator()} call runs one epoch: the epoch set by {@link
 * #setEpoch(int)} (or by {@code resumeFrom}), else the one after the previous iterator's epoch,
 * starting at 0. So iterating twice without {@code setEpoch} gives epochs 0 and 1 — with shuffle,
 * two different orders. Only one iterator is live: a new one abandons the previous (its batches in
 * flight are closed).
 *
 * <p><b>Ownership.</b> The loader never closes the source it was built with. Each worker opens its
 * own handle with {@link BatchSource#reopen()} and closes it when it stops (at the end of each
 * epoch, or at {@link #close()} with {@code persistentWorkers}); with {@code numWorkers == 0}
 * batches are taken from the source itself in the caller's thread. A fetched batch is owned by the
 * loader until collate; collate takes ownership of its input when called (it closes or returns it,
 * also when it throws; the default identity returns it); every batch {@code next()} returns is
 * owned by the caller, who closes it if it is {@link AutoCloseable}. Batches loaded but not yet
 * returned (prefetched) are closed by the loader when the iterator is abandoned, fails, or the
 * loader is closed.
 *
 * <p><b>Memory.</b> At most {@code numWorkers × prefetchFactor} batches are loaded (or being
 * loaded) and not yet taken by the consumer, plus the one {@code hasNext()} holds for the next
 * {@code next()}.
 *
 * <p><b>Failures.</b> A worker's exception, or a batch not ready within {@code timeout}, surfaces
 * from {@code hasNext()/next()} as a {@link DataLoaderException} carrying the cause and the batch's
 * {@link BatchPosition}; the iterator is then finished ({@code hasNext()} is false), and {@link
 * #state()} still describes what was yielded, so the run can resume.
 *
 * @param <T> the type of the batches yielded (after collate)
 */
public final class DataLoader<T> implements AutoCloseable, Iterable<T> {
  private final BatchSource<Object> source;
  private final Function<Object, T> collate;
  private final Sampler sampler;
  private final BatchSampler batchSampler;
  private final long seed;
  private final int numWorkers;
  private final int prefetchFactor;
  private final boolean persistentWorkers;
  private final boolean inOrder;
  private final long timeoutNanos;
  private final int rank;
  private final int worldSize;
  private final boolean dropUneven;
  private final WorkerInit workerInit;
  private final ProgressListener progress;
  private final String threadPrefix;
  private final LoaderMetrics metrics = new LoaderMetrics();

  private int nextEpoch;
  private LoaderState resume;
  private EpochIterator current;
  private WorkerPool<Object> persistentPool;
  private final List<WorkerPool<Object>> retiredPools = new ArrayList<>();
  private int plannedEpoch = -1;
  private List<long[]> plannedBatches;
  private volatile String progressExtra = "";
  private boolean closed;

  @SuppressWarnings("unchecked")
  private DataLoader(Builder<?, T> b) {
    this.source = (BatchSource<Object>) b.source;
    this.collate = (Function<Object, T>) b.collate;
    this.sampler =
        b.sampler != null ? b.sampler : b.shuffle ? Sampler.random() : Sampler.sequential();
    this.batchSampler =
        b.batchSampler != null ? b.batchSampler : BatchSampler.fixedSize(b.batchSize, b.dropLast);
    this.seed = b.seed;
    this.numWorkers = b.numWorkers;
    this.prefetchFactor = b.prefetchFactor;
    this.persistentWorkers = b.persistentWorkers;
    this.inOrder = b.inOrder;
    this.timeoutNanos = b.timeout.toNanos();
    this.rank = b.rank;
    this.worldSize = b.worldSize;
    this.dropUneven = b.dropUneven;
    this.workerInit = b.workerInit;
    this.progress = b.progress;
    this.threadPrefix = LoaderThreadNames.newPrefix();
    dev.lancetorch.torch.ThreadBudget.logOnce(numWorkers);
    if (b.resumeFrom != null) {
      LoaderState s = b.resumeFrom;
      try {
        s.requireResumable(seed, rank, worldSize, plan(s.epoch()).size());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("cannot resume from " + s + ": " + e.getMessage(), e);
      }
      this.resume = s;
      this.nextEpoch = s.epoch();
    }
  }

  /** A builder over {@code source}; the loader does not take ownership of it. */
  public static <B> Builder<B, B> builder(BatchSource<B> source) {
    return new Builder<>(source, Function.identity());
  }

  /**
   * Starts the next epoch (see the class doc for which one) and abandons a previous live iterator.
   */
  @Override
  public synchronized Iterator<T> iterator() {
    if (closed) {
      throw new IllegalStateException("DataLoader closed");
    }
    if (current != null) {
      current.stop();
    }
    int epoch = nextEpoch;
    nextEpoch = epoch + 1;
    LoaderState from = resume != null && resume.epoch() == epoch ? resume : null;
    resume = null;
    current = new EpochIterator(epoch, plan(epoch), from);
    return current;
  }

  /**
   * The epoch the next {@link #iterator()} runs. A pending {@code resumeFrom} state is kept only
   * when {@code epoch} is its epoch.
   */
  public synchronized void setEpoch(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch < 0");
    }
    nextEpoch = epoch;
    if (resume != null && resume.epoch() != epoch) {
      resume = null;
    }
  }

  /** Number of batches this rank yields in {@code epoch}. */
  public synchronized long numBatches(int epoch) {
    return plan(epoch).size();
  }

  /**
   * The position to resume from: the live (or failed / abandoned) iterator's epoch and the batches
   * it yielded; after an epoch completed, the next epoch with nothing yielded. Callable from any
   * thread.
   */
  public synchronized LoaderState state() {
    if (current != null && !current.complete) {
      return current.tracker.snapshot(current.epoch, seed, current.tasks.size(), rank, worldSize);
    }
    if (resume != null) {
      return resume;
    }
    return new LoaderState(
        nextEpoch, seed, 0, new long[0], plan(nextEpoch).size(), rank, worldSize);
  }

  /** A snapshot of the counters; callable from any thread while training. */
  public MetricsSnapshot metrics() {
    return metrics.snapshot();
  }

  /** Extra text shown by the progress listener / bar, e.g. {@code "loss 0.123"}. */
  public void setProgressExtra(String extra) {
    this.progressExtra = extra == null ? "" : extra;
  }

  /**
   * Stops the workers, closes every batch loaded but not yet returned and every worker handle, and
   * returns promptly: each worker gets a short grace (200 ms) to finish the fetch in progress, is
   * then interrupted, and is waited for at most 1 s more. Workers still running then (a fetch or
   * collate that ignores interrupts) are logged as a WARNING on {@code dev.lancetorch.loader},
   * naming each thread and where it is; they are daemon threads, their results are closed and their
   * handles close when that code returns. Batches already returned stay the caller's. Idempotent.
   */
  @Override
  public void close() {
    EpochIterator it;
    List<WorkerPool<Object>> pools;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      it = current;
      if (persistentPool != null) {
        retiredPools.add(persistentPool);
        persistentPool = null;
      }
    }
    if (it != null) {
      it.stop();
    }
    synchronized (this) {
      pools = new ArrayList<>(retiredPools);
      retiredPools.clear();
    }
    for (WorkerPool<Object> p : pools) {
      p.shutdown(); // every pool stops at once; then each is waited for (bounded) and interrupted
    }
    List<Thread> left = new ArrayList<>();
    for (WorkerPool<Object> p : pools) {
      left.addAll(
          p.close(WorkerPool.DEFAULT_GRACE_MILLIS, WorkerPool.DEFAULT_AFTER_INTERRUPT_MILLIS));
    }
    if (!left.isEmpty()) {
      LoggerFactory.getLogger("dev.lancetorch.loader").atWarn().log(() -> stillRunning(left));
    }
  }

  /**
   * What {@link #close()} leaves running: each thread and where it is (a collate or fetch ignoring
   * interrupts).
   */
  static String stillRunning(List<Thread> threads) {
    StringBuilder b =
        new StringBuilder("DataLoader.close(): ")
            .append(threads.size())
            .append(
                " worker thread(s) still running after an interrupt (code that ignores interrupts);"
                    + " they end, and close their handles, when that code returns:");
    for (Thread t : threads) {
      StackTraceElement[] st = t.getStackTrace();
      b.append("\n  ")
          .append(t.getName())
          .append(" at ")
          .append(st.length > 0 ? st[0] : "(no frame)");
      for (int i = 1; i < Math.min(st.length, 4); i++) {
        b.append(" <- ").append(st[i]);
      }
    }
    return b.toString();
  }

  private List<long[]> plan(int epoch) {
    if (epoch != plannedEpoch) {
      long[] global = sampler.indices(source.numRows(), seed, epoch);
      long[] mine = DistributedShard.shard(global, rank, worldSize, dropUneven);
      plannedBatches = checkedBatches(batchSampler.batches(mine), epoch, source.numRows());
      plannedEpoch = epoch;
    }
    return plannedBatches;
  }

  /**
   * The batch sampler's output, checked: a list of non-null batches of offsets in {@code [0,
   * rows)}.
   */
  private static List<long[]> checkedBatches(List<long[]> batches, int epoch, long rows) {
    if (batches == null) {
      throw new IllegalStateException(
          "the BatchSampler returned null for epoch " + epoch + " (expected a list)");
    }
    for (int b = 0; b < batches.size(); b++) {
      long[] offsets = batches.get(b);
      if (offsets == null) {
        throw new IllegalStateException(
            "the BatchSampler returned a null batch at index " + b + " for epoch " + epoch);
      }
      for (long o : offsets) {
        if (o < 0 || o >= rows) {
          throw new IllegalStateException(
              "the BatchSampler returned offset "
                  + o
                  + " in batch "
                  + b
                  + " for epoch "
                  + epoch
                  + ", outside the source's [0, "
                  + rows
                  + ")");
        }
      }
    }
    return batches;
  }

  private CompletableFuture<T> load(BatchSource<Object> handle, LoaderTask task) {
    Object raw = metrics.timedFetch(handle, task.offsets());
    long t0 = System.nanoTime();
    T out = collate.apply(raw); // owns `raw` from here on, also if it throws
    metrics.transformNanos.add(System.nanoTime() - t0);
    return CompletableFuture.completedFuture(out);
  }

  private synchronized void retire(WorkerPool<Object> pool) {
    retiredPools.removeIf(WorkerPool::isTerminated);
    retiredPools.add(pool);
  }

  private synchronized WorkerPool<Object> poolForEpoch() {
    if (!persistentWorkers) {
      return new WorkerPool<>(source, numWorkers, threadPrefix, seed, workerInit);
    }
    if (persistentPool == null) {
      persistentPool = new WorkerPool<>(source, numWorkers, threadPrefix, seed, workerInit);
    }
    return persistentPool;
  }

  /** One epoch, consumed by one thread. */
  private final class EpochIterator implements Iterator<T> {
    final int epoch;
    final List<LoaderTask> tasks;
    final YieldTracker tracker;
    final TaskStream<T> stream;
    final WorkerPool<Object> ownPool;
    final long startNanos = System.nanoTime();
    volatile boolean complete;
    private boolean stopped;
    private Delivered<T> pending;
    private long rowsYielded;

    EpochIterator(int epoch, List<long[]> batches, LoaderState from) {
      this.epoch = epoch;
      this.tracker = new YieldTracker(from);
      this.tasks = new ArrayList<>(batches.size());
      for (int i = 0; i < batches.size(); i++) {
        tasks.add(LoaderTask.of(batches.get(i), epoch, i, -1));
      }
      List<LoaderTask> remaining = new ArrayList<>();
      for (LoaderTask t : tasks) {
        if (!tracker.isYielded(t.position().batchIndex())) {
          remaining.add(t);
        }
      }
      if (numWorkers == 0) {
        stream = new InlineStream<>(source, remaining, DataLoader.this::load);
        ownPool = null;
      } else {
        List<List<LoaderTask>> perWorker = new ArrayList<>();
        for (int w = 0; w < numWorkers; w++) {
          perWorker.add(new ArrayList<>());
        }
        for (int i = 0; i < remaining.size(); i++) {
          perWorker.get(i % numWorkers).add(remaining.get(i));
        }
        EpochRun<Object, T> run =
            new EpochRun<>(
                perWorker, DataLoader.this::load, prefetchFactor, inOrder, timeoutNanos, metrics);
        WorkerPool<Object> pool = poolForEpoch();
        ownPool = persistentWorkers ? null : pool;
        stream = run;
        pool.start(run);
      }
      if (progress != null) {
        progress.onEpochStart(epoch, tasks.size(), tracker.count());
      }
    }

    @Override
    public boolean hasNext() {
      synchronized (this) {
        if (pending != null) {
          return true;
        }
        if (stopped) {
          return false;
        }
      }
      Delivered<T> d;
      try {
        d = stream.next();
      } catch (RuntimeException | Error e) {
        stop();
        throw e;
      }
      synchronized (this) {
        if (stopped) {
          if (d != null) {
            Closeables.closeQuietly(d.value());
          }
          return false;
        }
        if (d == null) {
          complete = true;
        } else {
          pending = d;
          return true;
        }
      }
      stop();
      return false;
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException("epoch " + epoch + " is over");
      }
      Delivered<T> d;
      synchronized (this) {
        d = pending;
        pending = null;
      }
      tracker.markYielded(d.task().position().batchIndex());
      metrics.batchesYielded.increment();
      rowsYielded += d.task().offsets().length;
      if (progress != null) {
        double secs = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        progress.onBatch(tracker.count(), rowsYielded, rowsYielded / secs, progressExtra);
      }
      return d.value();
    }

    /**
     * Ends this epoch early or normally: cancels loading, closes what is in flight, releases
     * workers.
     */
    void stop() {
      Delivered<T> p;
      synchronized (this) {
        if (stopped) {
          return;
        }
        stopped = true;
        p = pending;
        pending = null;
      }
      if (p != null) {
        Closeables.closeQuietly(p.value());
      }
      stream.close();
      if (ownPool != null) {
        ownPool.shutdown(); // workers exit after their fetch in progress; close() waits for them
        retire(ownPool);
      }
      if (progress != null) {
        progress.onEpochEnd();
      }
    }
  }

  /**
   * Configures a {@link DataLoader}.
   *
   * @param <B> the source's batch type
   * @param <T> the type yielded after collate
   */
  public static final class Builder<B, T> implements Cloneable {
    private final BatchSource<B> source;
    private Function<? super B, ? extends T> collate;
    private int batchSize = 1;
    private boolean dropLast;
    private boolean shuffle;
    private long seed;
    private Sampler sampler;
    private BatchSampler batchSampler;
    private int numWorkers;
    private int prefetchFactor = 2;
    private boolean persistentWorkers;
    private boolean inOrder = true;
    private Duration timeout = Duration.ZERO;
    private int rank;
    private int worldSize = 1;
    private boolean dropUneven;
    private WorkerInit workerInit;
    private ProgressListener progress;
    private LoaderState resumeFrom;

    private Builder(BatchSource<B> source, Function<? super B, ? extends T> collate) {
      this.source = Objects.requireNonNull(source, "source");
      this.collate = collate;
    }

    /**
     * This builder with another collate; clone() carries every other field over, whatever fields
     * are added later.
     */
    @SuppressWarnings("unchecked")
    private <C> Builder<B, C> copyWith(Function<? super B, ? extends C> c) {
      try {
        Builder<B, C> n = (Builder<B, C>) super.clone();
        n.collate = c;
        return n;
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }

    /** Rows per batch (default 1); ignored when a {@link #batchSampler} is set. */
    public Builder<B, T> batchSize(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("batchSize must be > 0");
      }
      batchSize = v;
      return this;
    }

    /** Drop the last, short batch of each epoch (default false). */
    public Builder<B, T> dropLast(boolean v) {
      dropLast = v;
      return this;
    }

    /**
     * A fresh random order each epoch from seed + epoch (default false); ignored when a sampler is
     * set.
     */
    public Builder<B, T> shuffle(boolean v) {
      shuffle = v;
      return this;
    }

    /**
     * Seed of the epoch orders and of {@link WorkerInit} (default 0). Must be equal on all ranks.
     */
    public Builder<B, T> seed(long v) {
      seed = v;
      return this;
    }

    public Builder<B, T> sampler(Sampler v) {
      sampler = Objects.requireNonNull(v);
      return this;
    }

    public Builder<B, T> batchSampler(BatchSampler v) {
      batchSampler = Objects.requireNonNull(v);
      return this;
    }

    /**
     * Applied in the worker to each fetched batch; owns it from the call on (closes or returns it,
     * also when throwing). The result is what the loader yields.
     */
    public <C> Builder<B, C> collate(Function<? super B, ? extends C> fn) {
      return copyWith(Objects.requireNonNull(fn));
    }

    /** Worker threads (default 0: load in the caller's thread, from the source itself). */
    public Builder<B, T> numWorkers(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("numWorkers < 0");
      }
      numWorkers = v;
      return this;
    }

    /** Batches each worker loads ahead (default 2). */
    public Builder<B, T> prefetchFactor(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("prefetchFactor must be > 0");
      }
      prefetchFactor = v;
      return this;
    }

    /**
     * Keep worker threads and their handles across epochs, until {@link DataLoader#close()}
     * (default false).
     */
    public Builder<B, T> persistentWorkers(boolean v) {
      persistentWorkers = v;
      return this;
    }

    /** Yield in batch order (default true) or first-ready-first. */
    public Builder<B, T> inOrder(boolean v) {
      inOrder = v;
      return this;
    }

    /**
     * Longest wait for one batch with workers (default zero: no limit; not applied with 0 workers).
     *
     * @throws IllegalArgumentException if {@code v} is negative
     */
    public Builder<B, T> timeout(Duration v) {
      if (Objects.requireNonNull(v, "timeout").isNegative()) {
        throw new IllegalArgumentException("timeout must be >= 0 (0 = no limit), got " + v);
      }
      timeout = v;
      return this;
    }

    /** This process's rank and the number of ranks (default 0 of 1). */
    public Builder<B, T> distributed(int rank, int worldSize) {
      Ranks.check(rank, worldSize);
      this.rank = rank;
      this.worldSize = worldSize;
      return this;
    }

    /**
     * This process's rank (as PyTorch's {@code rank}); with {@link #worldSize(int)}, same as {@code
     * distributed}.
     */
    public Builder<B, T> rank(int rank) {
      this.rank = rank;
      return this;
    }

    /**
     * Number of processes sharing the data (as PyTorch's {@code world_size}); checked against rank
     * at build.
     */
    public Builder<B, T> worldSize(int worldSize) {
      this.worldSize = worldSize;
      return this;
    }

    /**
     * Drop the tail of the global order so ranks stay equal, instead of padding by wrapping
     * (default false).
     */
    public Builder<B, T> dropUneven(boolean v) {
      dropUneven = v;
      return this;
    }

    public Builder<B, T> workerInit(WorkerInit v) {
      workerInit = v;
      return this;
    }

    /** Shows a terminal progress bar named {@code task}. */
    public Builder<B, T> progressBar(String task) {
      progress = new ProgressBarListener(task);
      return this;
    }

    public Builder<B, T> progressListener(ProgressListener v) {
      progress = v;
      return this;
    }

    /**
     * Continue from a {@link DataLoader#state()}: the first iterator runs the state's epoch and
     * yields exactly the batches an uninterrupted run would still have yielded. The loader must be
     * configured as the one the state came from (same source rows, sampler, batching, seed, rank,
     * world size).
     */
    public Builder<B, T> resumeFrom(LoaderState v) {
      resumeFrom = v;
      return this;
    }

    public DataLoader<T> build() {
      Ranks.check(rank, worldSize); // however rank/worldSize were set
      return new DataLoader<>(this);
    }
  }
}
