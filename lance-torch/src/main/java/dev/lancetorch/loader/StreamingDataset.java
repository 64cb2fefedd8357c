package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.Closeables;
import dev.lancetorch.internal.loader.Delivered;
import dev.lancetorch.internal.loader.EpochRun;
import dev.lancetorch.internal.loader.LoaderMetrics;
import dev.lancetorch.internal.loader.LoaderTask;
import dev.lancetorch.internal.loader.LoaderThreadNames;
import dev.lancetorch.internal.loader.SplitLayout;
import dev.lancetorch.internal.loader.WorkerPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An elastic, resumable stream of one rank's rows, after LanceDB's {@code StreamingDataset}.
 *
 * <p><b>Layout of an epoch</b> (LanceDB's {@code streaming.py}; a function of numRows, numSplits,
 * shuffle, shuffleSeed, shuffleClumpSize and the epoch — never of the world size or the number of
 * workers): every split has {@code L = numRows / numSplits} rows (the surplus, fewer than numSplits
 * rows, is left out of the epoch, so every split — and every rank — has the same length and the
 * same number of batches). With shuffle (the default) the splits are exactly LanceDB's {@code
 * split_random(fixed=numSplits, seed=shuffleSeed + epoch·100003, clump_size=shuffleClumpSize)}: the
 * same rows in the same order as LanceDB gives each split; without, split s is rows {@code [s·L,
 * (s+1)·L)}. The <i>global order</i> of the epoch ({@link #globalOrder(int)}) is the concatenation
 * of the splits' row orders.
 *
 * <p><b>Assignment.</b> numSplits (default: worldSize, as LanceDB) must be divisible by worldSize ×
 * numWorkers. Rank r reads the r-th contiguous block of numSplits/worldSize splits; its worker w
 * reads the w-th contiguous sub-block of that block (as LanceDB). A worker's rows come as LanceDB
 * yields them: one row per split per cycle, round robin over its splits in order; that row stream
 * is cut into batches of {@code readBatchSize} rows (default 64). The rank's consumer takes batches
 * round-robin over its workers.
 *
 * <p><b>Elastic determinism</b> (LanceDB's guarantee, as tested with one worker per rank): with the
 * same numSplits, seed and epoch, and a global batch G = worldSize × readBatchSize that is a
 * multiple of numSplits, the union of the ranks' batches at step k is the same sample set on any
 * world size — cycles [k·G/S, (k+1)·G/S) of every split. With K &gt; 1 workers a single step holds
 * only the splits of one worker per rank (by the arithmetic, untested: the same set for each group
 * of K consecutive steps at a fixed K).
 *
 * <p><b>Guarantees</b> (as tested): within an epoch, across all ranks, every row is delivered
 * exactly once; the rows delivered from split s, in delivery order, are exactly split s's row
 * order, whatever the world size and number of workers. {@link #state()} records per split how many
 * rows were delivered; {@link #mergeStates(List)} unions the ranks' states, and a run resumed from
 * the merged state <em>on any world size and number of workers</em> delivers exactly the rest of
 * each split's row order — so (rows before) + (rows after), per split, is the uninterrupted split
 * order, and the global set is every row once. The interleaving of different splits depends on
 * world size and workers.
 *
 * <p>{@code columns} and {@code filter} narrow the source (a {@link SelectableSource}, e.g. a
 * {@code Permutation}) before the splits are made: the row range split is the filtered one.
 *
 * <p><b>Ownership.</b> The dataset never closes the source it was built with; each worker opens its
 * own handle with {@link BatchSource#reopen()} and closes it at {@link #close()}. The transform
 * takes ownership of its input batch when called — it must close or return it, also when it throws
 * (the dataset never touches a batch after passing it to the transform). Every batch the iterator
 * returns is the caller's to close; batches prefetched but not returned are closed by the dataset
 * when the iterator is abandoned, fails, or the dataset is closed.
 *
 * @param <R> the type of the batches yielded (after transform)
 */
public final class StreamingDataset<R> implements Iterable<R>, AutoCloseable {
  private final BatchSource<Object> source;
  private final Function<Object, R> transform;
  private final TransformErrorHandler<R> onError;
  private final SplitLayout layout;
  private final int rank;
  private final int worldSize;
  private final int numWorkers;
  private final int readBatchSize;
  private final int prefetchBatches;
  private final long timeoutNanos;
  private final long shuffleSeed;
  private final String threadPrefix;
  private final ExecutorService transformPool;
  private final LoaderMetrics metrics = new LoaderMetrics();

  private int nextEpoch;
  private StreamingState resume;
  private WorkerPool<Object> pool;
  private EpochIterator current;
  private boolean closed;

  @SuppressWarnings("unchecked")
  private StreamingDataset(Builder<?, R> b) {
    if (b.numSplits == 0) {
      b.numSplits = b.worldSize;
    }
    if (b.numSplits % (b.worldSize * b.numWorkers) != 0) {
      throw new IllegalArgumentException(
          "numSplits "
              + b.numSplits
              + " is not divisible by worldSize "
              + b.worldSize
              + " × numWorkers "
              + b.numWorkers
              + " = "
              + b.worldSize * b.numWorkers);
    }
    this.source = (BatchSource<Object>) b.selectedSource();
    this.transform = (Function<Object, R>) b.transform;
    this.onError = (TransformErrorHandler<R>) b.onError;
    this.layout =
        new SplitLayout(
            source.numRows(), b.numSplits, b.shuffle, b.shuffleSeed, b.shuffleClumpSize);
    this.rank = b.rank;
    this.worldSize = b.worldSize;
    this.numWorkers = b.numWorkers;
    this.readBatchSize = b.readBatchSize;
    this.prefetchBatches = b.prefetchBatches;
    this.timeoutNanos = b.timeout.toNanos();
    this.shuffleSeed = b.shuffleSeed;
    this.threadPrefix = LoaderThreadNames.newPrefix();
    if (b.resumeFrom != null) {
      StreamingState s = b.resumeFrom;
      if (s.shuffleSeed() != shuffleSeed
          || s.numRows() != layout.numRows
          || s.numSplits() != layout.numSplits) {
        throw new IllegalArgumentException(
            "state " + s + " is for another seed, row count or split count");
      }
      for (int split : layout.splitsOfRank(s.epoch(), rank, worldSize)) {
        if (s.rowsConsumed()[split] < 0) {
          throw new IllegalArgumentException(
              "state does not know split "
                  + split
                  + " which rank "
                  + rank
                  + " reads; resume from mergeStates(all ranks' states)");
        }
      }
      this.resume = s;
      this.nextEpoch = s.epoch();
    }
    if (b.transformParallelism > 0) {
      AtomicInteger n = new AtomicInteger();
      this.transformPool =
          Executors.newFixedThreadPool(
              b.transformParallelism,
              r -> {
                Thread t = new Thread(r, threadPrefix + "-transform-" + n.getAndIncrement());
                t.setDaemon(true);
                return t;
              });
    } else {
      this.transformPool = null;
    }
  }

  public static <B> Builder<B, B> builder(BatchSource<B> source) {
    return new Builder<>(source, Function.identity());
  }

  /**
   * Unions the states of ranks taken at the same point of an epoch (e.g. at a checkpoint). Splits
   * known to no state stay -1; a split known to two states must have the same progress in both.
   */
  public static StreamingState mergeStates(List<StreamingState> states) {
    if (states.isEmpty()) {
      throw new IllegalArgumentException("no states to merge");
    }
    StreamingState first = states.get(0);
    long[] merged = new long[first.numSplits()];
    Arrays.fill(merged, -1);
    for (StreamingState s : states) {
      if (s.epoch() != first.epoch()
          || s.shuffleSeed() != first.shuffleSeed()
          || s.numRows() != first.numRows()
          || s.numSplits() != first.numSplits()) {
        throw new IllegalArgumentException(
            "states of different epochs or datasets: " + first + " vs " + s);
      }
      long[] c = s.rowsConsumed();
      for (int i = 0; i < c.length; i++) {
        if (c[i] >= 0) {
          if (merged[i] >= 0 && merged[i] != c[i]) {
            throw new IllegalArgumentException(
                "split " + i + " has progress " + merged[i] + " and " + c[i]);
          }
          merged[i] = c[i];
        }
      }
    }
    return new StreamingState(first.epoch(), first.shuffleSeed(), first.numRows(), merged);
  }

  /**
   * The canonical global row order of {@code epoch} (see the class doc); the same for every world
   * size.
   */
  public long[] globalOrder(int epoch) {
    return layout.globalOrder(epoch);
  }

  /** The row order of one split in {@code epoch}. */
  public long[] splitRowOrder(int split, int epoch) {
    return layout.rowsOf(split, epoch);
  }

  /** The epoch the next {@link #iterator()} runs (default: 0, then one more per iterator). */
  public synchronized void setEpoch(int epoch) {
    nextEpoch = epoch;
    if (resume != null && resume.epoch() != epoch) {
      resume = null;
    }
  }

  /** One epoch of this rank's rows; abandons a previous live iterator. */
  @Override
  public synchronized Iterator<R> iterator() {
    if (closed) {
      throw new IllegalStateException("StreamingDataset closed");
    }
    if (current != null) {
      current.stop();
    }
    int epoch = nextEpoch++;
    StreamingState from = resume != null && resume.epoch() == epoch ? resume : null;
    resume = null;
    if (pool == null) {
      pool = new WorkerPool<>(source, numWorkers, threadPrefix, shuffleSeed, null);
    }
    current = new EpochIterator(epoch, from);
    return current;
  }

  /**
   * This rank's progress: per split it reads in the current epoch, rows delivered; -1 for other
   * splits. After a completed epoch: the next epoch, nothing delivered. Callable from any thread.
   */
  public synchronized StreamingState state() {
    if (current != null && !current.complete) {
      return current.snapshot();
    }
    if (resume != null) {
      long[] c = new long[layout.numSplits];
      Arrays.fill(c, -1);
      long[] r = resume.rowsConsumed();
      for (int s : layout.splitsOfRank(resume.epoch(), rank, worldSize)) {
        c[s] = r[s];
      }
      return new StreamingState(resume.epoch(), shuffleSeed, layout.numRows, c);
    }
    long[] c = new long[layout.numSplits];
    Arrays.fill(c, -1);
    for (int s : layout.splitsOfRank(nextEpoch, rank, worldSize)) {
      c[s] = 0;
    }
    return new StreamingState(nextEpoch, shuffleSeed, layout.numRows, c);
  }

  public MetricsSnapshot metrics() {
    return metrics.snapshot();
  }

  /**
   * Stops workers and transform threads, closes batches in flight and worker handles (bounded
   * wait).
   */
  @Override
  public void close() {
    EpochIterator it;
    WorkerPool<Object> p;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      it = current;
      p = pool;
      pool = null;
    }
    if (it != null) {
      it.stop();
    }
    if (p != null) {
      p.close();
    }
    if (transformPool != null) {
      transformPool.shutdown(); // queued transforms still run, so their input batches get closed
      try {
        if (!transformPool.awaitTermination(10, TimeUnit.SECONDS)) {
          transformPool.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private CompletableFuture<R> load(BatchSource<Object> handle, LoaderTask task) {
    Object raw;
    synchronized (handle) { // a transform thread may take single rows from it (withoutFailingRows)
      raw = metrics.timedFetch(handle, task.offsets());
    }
    if (transformPool == null) {
      return CompletableFuture.completedFuture(applyTransform(handle, raw, task));
    }
    try {
      return CompletableFuture.supplyAsync(() -> applyTransform(handle, raw, task), transformPool);
    } catch (RejectedExecutionException e) {
      Closeables.closeQuietly(raw);
      throw e;
    }
  }

  private R applyTransform(BatchSource<Object> handle, Object raw, LoaderTask task) {
    long t0 = System.nanoTime();
    R out;
    try {
      out = transform.apply(raw);
    } catch (RuntimeException e) {
      out =
          onError.onError(
              e, task.position()); // the input stays the transform's: it owned it when it threw
      if (out == null) {
        out = withoutFailingRows(handle, task);
      }
    }
    metrics.transformNanos.add(System.nanoTime() - t0);
    return out;
  }

  /**
   * After a batch's transform failed and the policy skips: as LanceDB, the transform runs again on
   * each row alone (taken again from the worker's handle; its outputs are closed) and only the rows
   * that fail alone are dropped and counted as skipped; the other rows are taken again as one batch
   * and transformed. The transform must be deterministic (as in LanceDB); if it then fails on the
   * rows that passed alone, the iteration fails.
   *
   * @return the batch of the surviving rows, or null when every row failed
   */
  private R withoutFailingRows(BatchSource<Object> handle, LoaderTask task) {
    long[] offsets = task.offsets();
    long[] keep = new long[offsets.length];
    int kept = 0;
    for (long offset : offsets) {
      Object one;
      synchronized (handle) {
        one = handle.takeOffsets(new long[] {offset});
      }
      try {
        Closeables.closeQuietly(transform.apply(one));
        keep[kept++] = offset;
      } catch (RuntimeException rowError) {
        // this row fails alone: dropped
      }
    }
    metrics.rowsSkipped.add(offsets.length - kept);
    if (kept == 0) {
      return null;
    }
    Object rest;
    synchronized (handle) {
      rest = handle.takeOffsets(Arrays.copyOf(keep, kept));
    }
    return transform.apply(rest);
  }

  /** One epoch of this rank. */
  private final class EpochIterator implements Iterator<R> {
    final int epoch;
    final long[] consumed;
    final Map<LoaderTask, int[]> splitsOfRows = new IdentityHashMap<>();
    final EpochRun<Object, R> run;
    volatile boolean complete;
    private boolean stopped;
    private R pending;

    EpochIterator(int epoch, StreamingState from) {
      this.epoch = epoch;
      this.consumed = new long[layout.numSplits];
      Arrays.fill(consumed, -1);
      long[] prior = from == null ? null : from.rowsConsumed();
      List<List<LoaderTask>> perWorker = new ArrayList<>();
      for (int w = 0; w < numWorkers; w++) {
        List<Integer> splits = layout.splitsOf(epoch, rank, worldSize, w, numWorkers);
        long[][] orders = new long[splits.size()][];
        long[] starts = new long[splits.size()];
        for (int i = 0; i < orders.length; i++) {
          int split = splits.get(i);
          orders[i] = layout.rowsOf(split, epoch);
          starts[i] = prior == null ? 0 : prior[split];
          consumed[split] = starts[i];
        }
        RoundRobinTasks rr = new RoundRobinTasks(epoch, splits, orders, starts, readBatchSize);
        perWorker.add(rr.tasks);
        splitsOfRows.putAll(rr.splitsOfRows);
      }
      run =
          new EpochRun<>(
              perWorker, StreamingDataset.this::load, prefetchBatches, true, timeoutNanos, metrics);
      pool.start(run);
    }

    synchronized StreamingState snapshot() {
      return new StreamingState(epoch, shuffleSeed, layout.numRows, consumed);
    }

    @Override
    public boolean hasNext() {
      while (true) {
        synchronized (this) {
          if (pending != null) {
            return true;
          }
          if (stopped) {
            return false;
          }
        }
        Delivered<R> d;
        try {
          d = run.next();
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
            for (int split : splitsOfRows.get(d.task())) {
              consumed[split]++;
            }
            if (d.value() == null) {
              continue; // skipped by the error policy
            }
            pending = d.value();
            return true;
          }
        }
        stop();
        return false;
      }
    }

    @Override
    public R next() {
      if (!hasNext()) {
        throw new NoSuchElementException("epoch " + epoch + " is over");
      }
      R r;
      synchronized (this) {
        r = pending;
        pending = null;
      }
      metrics.batchesYielded.increment();
      return r;
    }

    void stop() {
      R p;
      synchronized (this) {
        if (stopped) {
          return;
        }
        stopped = true;
        p = pending;
        pending = null;
      }
      Closeables.closeQuietly(p);
      run.close();
    }
  }

  /**
   * Configures a {@link StreamingDataset}.
   *
   * @param <B> the source's batch type
   * @param <R> the type yielded after transform
   */
  public static final class Builder<B, R> implements Cloneable {
    // transform(...) copies the builder with clone(): every field is carried over, whatever fields
    // are added later.
    private final BatchSource<B> source;
    private Function<? super B, ? extends R> transform;
    private TransformErrorHandler<?> onError = OnTransformError.RAISE;
    private int numSplits; // 0: worldSize, as LanceDB
    private int rank;
    private int worldSize = 1;
    private int numWorkers = 1;
    private int readBatchSize = 64;
    private int prefetchBatches = 4;
    private boolean shuffle = true;
    private long shuffleSeed;
    private int shuffleClumpSize = 1;
    private int transformParallelism;
    private Duration timeout = Duration.ZERO;
    private StreamingState resumeFrom;
    private String[] columns;
    private String filter;

    private Builder(BatchSource<B> source, Function<? super B, ? extends R> transform) {
      this.source = Objects.requireNonNull(source);
      this.transform = transform;
    }

    /**
     * Only these columns (LanceDB's {@code columns}); needs a {@link SelectableSource} such as a
     * {@code Permutation}.
     */
    public Builder<B, R> columns(String... names) {
      this.columns = names.clone();
      return this;
    }

    /**
     * Only rows matching this SQL filter (LanceDB's {@code filter}), applied before the splits are
     * made; needs a {@link SelectableSource} such as a {@code Permutation}.
     */
    public Builder<B, R> filter(String sqlFilter) {
      this.filter = Objects.requireNonNull(sqlFilter, "filter");
      return this;
    }

    /** The source after {@link #columns} and {@link #filter}. */
    @SuppressWarnings("unchecked")
    BatchSource<B> selectedSource() {
      if (columns == null && filter == null) {
        return source;
      }
      if (!(source instanceof SelectableSource<?>)) {
        throw new IllegalArgumentException(
            "columns/filter need a source that can select them (a Permutation); got "
                + source.getClass().getName());
      }
      SelectableSource<B> s = (SelectableSource<B>) source;
      if (filter != null) {
        s = s.filter(filter);
      }
      if (columns != null) {
        s = s.selectColumns(columns);
      }
      return s;
    }

    /**
     * Fixed splits of the rows (default: worldSize, as LanceDB); divisible by worldSize ×
     * numWorkers.
     */
    public Builder<B, R> numSplits(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("numSplits must be > 0");
      }
      numSplits = v;
      return this;
    }

    public Builder<B, R> distributed(int rank, int worldSize) {
      Ranks.check(rank, worldSize);
      this.rank = rank;
      this.worldSize = worldSize;
      return this;
    }

    /**
     * This process's rank (as PyTorch's {@code rank}); with {@link #worldSize(int)}, same as {@code
     * distributed}.
     */
    public Builder<B, R> rank(int rank) {
      this.rank = rank;
      return this;
    }

    /**
     * Number of processes sharing the data (as PyTorch's {@code world_size}); checked against rank
     * at build.
     */
    public Builder<B, R> worldSize(int worldSize) {
      this.worldSize = worldSize;
      return this;
    }

    /** Worker threads of this rank (default 1, at least 1), each with its own handle. */
    public Builder<B, R> numWorkers(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("numWorkers must be >= 1");
      }
      numWorkers = v;
      return this;
    }

    /**
     * Rows per batch read from the source (default 64, as LanceDB); the last batch of a split may
     * be shorter.
     */
    public Builder<B, R> readBatchSize(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("readBatchSize must be > 0");
      }
      readBatchSize = v;
      return this;
    }

    /** Batches each worker reads ahead (default 4, as LanceDB). */
    public Builder<B, R> prefetchBatches(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("prefetchBatches must be > 0");
      }
      prefetchBatches = v;
      return this;
    }

    public Builder<B, R> shuffle(boolean v) {
      shuffle = v;
      return this;
    }

    public Builder<B, R> shuffleSeed(long v) {
      shuffleSeed = v;
      return this;
    }

    /**
     * Consecutive rows kept together when shuffling within a split (default 1: rows shuffled
     * individually).
     */
    public Builder<B, R> shuffleClumpSize(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("shuffleClumpSize must be > 0");
      }
      shuffleClumpSize = v;
      return this;
    }

    /**
     * Applied to each read batch; owns it from the call on (closes or returns it, also when
     * throwing). Returns a builder with every other setting of this one ({@link #columns}, {@link
     * #filter}, an {@link OnTransformError} policy...).
     *
     * @throws IllegalStateException if a custom {@link TransformErrorHandler} was set before: it is
     *     typed to the old result type, so set it after {@code transform}
     */
    @SuppressWarnings("unchecked")
    public <C> Builder<B, C> transform(Function<? super B, ? extends C> fn) {
      Objects.requireNonNull(fn, "transform");
      if (!(onError instanceof OnTransformError)) {
        throw new IllegalStateException(
            "onTransformError(handler) was set before transform(...): a custom handler "
                + "returns values of the old type; set it after transform(...)");
      }
      Builder<B, C> n;
      try {
        n = (Builder<B, C>) super.clone();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
      n.transform = fn;
      return n;
    }

    /**
     * Threads running the transform (default 0: in the worker thread). Per-worker order is kept.
     */
    public Builder<B, R> transformParallelism(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("transformParallelism < 0");
      }
      transformParallelism = v;
      return this;
    }

    /** Default {@link OnTransformError#RAISE}. Set after {@link #transform}. */
    public Builder<B, R> onTransformError(OnTransformError policy) {
      onError = Objects.requireNonNull(policy);
      return this;
    }

    /** A custom policy: replacement, skip (null) or fail (throw). Set after {@link #transform}. */
    public Builder<B, R> onTransformError(TransformErrorHandler<? extends R> handler) {
      onError = Objects.requireNonNull(handler);
      return this;
    }

    /**
     * Longest wait for one batch (default zero: no limit).
     *
     * @throws IllegalArgumentException if {@code v} is negative
     */
    public Builder<B, R> timeout(Duration v) {
      if (Objects.requireNonNull(v, "timeout").isNegative()) {
        throw new IllegalArgumentException("timeout must be >= 0 (0 = no limit), got " + v);
      }
      timeout = v;
      return this;
    }

    /**
     * Resume from this rank's own state, or from {@link StreamingDataset#mergeStates} for any world
     * size.
     */
    public Builder<B, R> resumeFrom(StreamingState v) {
      resumeFrom = v;
      return this;
    }

    public StreamingDataset<R> build() {
      Ranks.check(rank, worldSize); // however rank/worldSize were set
      return new StreamingDataset<>(this);
    }
  }
}
