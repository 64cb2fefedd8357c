package dev.lancetorch.loader;

import dev.lancetorch.Table;
import dev.lancetorch.internal.loader.EpochHooks;
import dev.lancetorch.internal.loader.EpochIterator;
import dev.lancetorch.internal.loader.EpochTasks;
import dev.lancetorch.internal.loader.LoaderEngine;
import dev.lancetorch.internal.loader.LoaderTask;
import dev.lancetorch.internal.loader.Workers;
import dev.lancetorch.internal.loader.YieldTracker;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

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
 * <p><b>Ownership.</b> The loader never closes the source it was built with (built over a {@link
 * Table}, it closes the permutation it made over it). Each worker opens its own handle with {@link
 * BatchSource#reopen()} and closes it when it stops (at the end of each epoch, or at {@link
 * #close()} with {@code persistentWorkers}); with {@code numWorkers == 0} batches are taken from
 * the source itself in the caller's thread. A fetched batch is owned by the loader until collate;
 * collate takes ownership of its input when called (it closes or returns it, also when it throws;
 * the default identity returns it); every batch {@code next()} returns is owned by the caller, who
 * closes it if it is {@link AutoCloseable}. Batches loaded but not yet returned (prefetched) are
 * closed by the loader when the iterator is abandoned, fails, or the loader is closed.
 *
 * <p><b>Memory.</b> At most {@code numWorkers × prefetchFactor} batches are loaded (or being
 * loaded) and not yet taken by the consumer, plus the one {@code hasNext()} holds for the next
 * {@code next()}. Over a {@code Permutation} ({@link #builder(Permutation)}) the workers share one
 * read of the epoch by its read planner ({@code Permutation.withReadAhead}: three windows alive at
 * a time, plus batches read for a worker that has not taken them yet). From a loader's second epoch
 * on (from the first with {@code persistentWorkers}) the next epoch's first windows are read once
 * this epoch has begun reading its last one, in the window slots it leaves free; a loader left open
 * after its last epoch holds those windows until {@link #close()}.
 *
 * <p><b>Collate errors</b> follow the builder's {@link OnTransformError} policy (default {@code
 * RAISE}), as a {@link StreamingDataset}'s transform errors: {@code SKIP}/{@code WARN} re-run the
 * collate row by row and drop only the rows failing alone; a batch whose every row fails is not
 * yielded (it counts as yielded in {@link #state()}, so a resumed run does not retry it).
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
  private final Sampler sampler;
  private final BatchSampler batchSampler;
  private final long seed;
  private final int prefetchFactor;
  private final boolean inOrder;
  private final long timeoutNanos;
  private final int rank;
  private final int worldSize;
  private final boolean dropUneven;
  private final ProgressListener progress;
  private final LoaderEngine<T> engine;

  private int nextEpoch;
  private final boolean persistentWorkers;
  private int epochsStarted;
  private LoaderState resume;

  /** Batches of the last two epochs planned (the one running and the next, planned ahead). */
  private final Map<Integer, List<long[]>> planned =
      new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, List<long[]>> eldest) {
          return size() > 2;
        }
      };

  private volatile String progressExtra = "";

  /** How often the progress listener gets fresh data-wait percentiles. */
  private static final long WAIT_REFRESH_NANOS = 250_000_000L;

  @SuppressWarnings("unchecked")
  private DataLoader(Builder<?, T> b) {
    this.source = (BatchSource<Object>) b.sourceForBuild();
    try {
      this.sampler =
          b.sampler != null ? b.sampler : b.shuffle ? Sampler.random() : Sampler.sequential();
      this.batchSampler =
          b.batchSampler != null ? b.batchSampler : BatchSampler.fixedSize(b.batchSize, b.dropLast);
      this.seed = b.seed;
      this.prefetchFactor = b.prefetch;
      this.inOrder = b.inOrder;
      this.timeoutNanos = b.timeout.toNanos();
      this.rank = b.rank;
      this.worldSize = b.worldSize;
      this.dropUneven = b.dropUneven;
      this.progress = b.progress;
      dev.lancetorch.threads.ThreadBudget.logOnce(b.numWorkers);
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
      this.persistentWorkers = b.persistentWorkers;
      this.engine =
          new LoaderEngine<>(
              "DataLoader",
              new Workers(source, b.numWorkers, b.persistentWorkers, seed, b.workerInit),
              b.transformSpec(0));
    } catch (RuntimeException | Error e) {
      if (b.ownsSource()) {
        source.close();
      }
      throw e;
    }
    if (b.ownsSource()) {
      engine.alsoClose(source);
    }
    engine.closeWhenUnreachable(this);
  }

  /** A builder over {@code source}; the loader does not take ownership of it. */
  public static <B> Builder<B, B> builder(BatchSource<B> source) {
    return new Builder<>(source);
  }

  /**
   * A builder over {@code permutation}'s rows (each worker reads through its own {@link
   * Permutation#reopen()}); the loader does not take ownership of it.
   */
  public static <B> Builder<B, B> builder(Permutation<B> permutation) {
    return new Builder<>(new PermutationSource<>(permutation));
  }

  /**
   * A builder over every row of {@code table}, as LanceDB's {@code
   * torch.utils.data.DataLoader(table, batch_size=..., shuffle=...)}: Arrow batches ({@link
   * Format#ARROW}) and PyTorch's defaults (batch size 1, no shuffle, 0 workers: loaded in the
   * caller's thread) unless set. Same as {@link #builder(Permutation)} over {@code
   * Permutation.identity(table)}, made by each {@code build()} and closed with the loader it built;
   * the table is borrowed (close it after the loader).
   */
  public static Builder<ArrowBatch, ArrowBatch> builder(Table table) {
    return builder(table, Format.ARROW);
  }

  /**
   * Like {@link #builder(Table)}, the batches in {@code format} (e.g. {@link Format#TORCH_DICT}:
   * zero-copy tensors).
   */
  public static <B> Builder<B, B> builder(Table table, Format<B> format) {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(format, "format");
    return new Builder<>(
        () -> new PermutationSource<>(Permutation.identity(table).withFormat(format)));
  }

  /**
   * Starts the next epoch (see the class doc for which one) and abandons a previous live iterator.
   */
  @Override
  public synchronized Iterator<T> iterator() {
    int epoch = nextEpoch;
    List<long[]> batches = plan(epoch);
    LoaderState from = resume != null && resume.epoch() == epoch ? resume : null;
    Epoch record =
        new Epoch(
            epoch,
            batches.size(),
            from == null
                ? new YieldTracker(0, new long[0])
                : new YieldTracker(from.contiguousYielded(), from.yieldedBeyond()));
    YieldTracker.Yielded done = record.tracker.yielded();
    List<LoaderTask> remaining = new EpochTasks(batches, epoch, done.contiguous(), done.beyond());
    EpochIterator<T, Epoch> it =
        engine.start(
            epoch,
            LoaderEngine.dealt(remaining, engine.numWorkers()),
            prefetchFactor,
            inOrder,
            timeoutNanos,
            record,
            epochsStarted++ > 0 || persistentWorkers ? nextEpochTasks(epoch + 1) : null);
    nextEpoch = epoch + 1;
    resume = null;
    if (progress != null) {
      progress.onEpochStart(epoch, batches.size(), record.tracker.count());
    }
    return it;
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
    EpochIterator<T, ?> it = engine.current();
    if (it != null && !it.isComplete()) {
      Epoch e = (Epoch) it.hooks();
      YieldTracker.Yielded y = e.tracker.yielded();
      return new LoaderState(
          e.epoch, seed, y.contiguous(), y.beyond(), e.numBatches, rank, worldSize);
    }
    if (resume != null) {
      return resume;
    }
    return new LoaderState(
        nextEpoch, seed, 0, new long[0], plan(nextEpoch).size(), rank, worldSize);
  }

  /**
   * A snapshot of the counters, with this rank's data-wait percentiles (overall and per worker);
   * callable from any thread while training.
   */
  public MetricsSnapshot metrics() {
    return MetricsSnapshot.of(engine.metrics().counts(), rank);
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
   *
   * <p>Closing from another thread while a consumer iterates: the consumer's {@code hasNext()} /
   * {@code next()} throw {@link IllegalStateException} ("DataLoader was closed ... before epoch N
   * ended"); an epoch never looks complete because the loader was closed. A loader dropped without
   * {@code close()} is closed by lance-torch's cleaner once unreachable (its threads stop, its
   * prefetched batches are closed); idle worker threads do not keep it reachable.
   */
  @Override
  public void close() {
    engine.close();
  }

  /**
   * The tasks of {@code epoch} when it runs whole after this one (the engine reads its first window
   * while this epoch's last batches are handed out); null without workers. Asked from the second
   * epoch a loader runs on (or the first, with persistent workers): a loader run once reads nothing
   * ahead.
   */
  private List<List<LoaderTask>> nextEpochTasks(int epoch) {
    if (engine.numWorkers() == 0) {
      return null;
    }
    return LoaderEngine.dealt(
        new EpochTasks(plan(epoch), epoch, 0, new long[0]), engine.numWorkers());
  }

  /**
   * The batches of {@code epoch}; the sampler and batch sampler are pure functions, so the last two
   * epochs planned are kept (the one running and the next one, planned ahead for its read-ahead).
   * With the built-in samplers and batch sampler the list makes each batch when asked (positions
   * are {@code long}: an epoch of any number of rows is planned in constant memory); other
   * samplers' batches are checked here, once per epoch.
   */
  private List<long[]> plan(int epoch) {
    List<long[]> batches = planned.get(epoch);
    if (batches == null) {
      long rows = source.numRows();
      RowOrder global = sampler.order(rows, seed, epoch);
      RowOrder mine = RowOrders.ShardOrder.of(global, rank, worldSize, dropUneven);
      batches = batchSampler.batches(mine);
      boolean inRange = // by construction: the built-in samplers' offsets are in [0, rows)
          (sampler instanceof RandomSampler
                  || sampler instanceof SequentialSampler
                  || sampler instanceof WeightedRandomSampler)
              && batchSampler instanceof FixedSizeBatches;
      if (!inRange) {
        checkedBatches(batches, epoch, rows);
      }
      planned.put(epoch, batches);
    }
    return batches;
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

  /** What one epoch yielded (for {@link #state()}) and its progress reports. */
  private final class Epoch implements EpochHooks {
    final int epoch;
    final int numBatches;
    final YieldTracker tracker;
    final long startNanos = System.nanoTime();
    private long rowsYielded;
    private long waitShownNanos = startNanos;
    private WaitLatency waitShown = WaitLatency.NONE;

    Epoch(int epoch, int numBatches, YieldTracker tracker) {
      this.epoch = epoch;
      this.numBatches = numBatches;
      this.tracker = tracker;
    }

    @Override
    public void arrived(LoaderTask task, boolean skipped) {
      if (skipped) {
        tracker.markYielded(task.position().batchIndex()); // every row dropped: nothing to retry
      }
    }

    @Override
    public void yielded(LoaderTask task) {
      tracker.markYielded(task.position().batchIndex());
      rowsYielded += task.offsets().length;
      if (progress != null) {
        long now = System.nanoTime();
        double secs = Math.max(1e-9, (now - startNanos) / 1e9);
        if (now - waitShownNanos > WAIT_REFRESH_NANOS) { // percentiles read a few times a second
          waitShownNanos = now;
          waitShown = WaitLatency.of(engine.metrics().waitLatency());
        }
        progress.onBatch(
            tracker.count(), rowsYielded, rowsYielded / secs, progressExtra, waitShown);
      }
    }

    @Override
    public void ended() {
      if (progress != null) {
        progress.onEpochEnd();
      }
    }
  }

  /**
   * Configures a {@link DataLoader}. The options it shares with {@link StreamingDataset.Builder}
   * (ranks, workers, shuffle, timeout, the collate's error policy) are documented there too.
   *
   * @param <B> the source's batch type
   * @param <T> the type yielded after collate
   */
  public static final class Builder<B, T> extends LoaderBuilder<B, T, Builder<B, T>> {
    private int batchSize = 1;
    private boolean dropLast;
    private Sampler sampler;
    private BatchSampler batchSampler;
    private boolean persistentWorkers;
    private boolean inOrder = true;
    private boolean dropUneven;
    private WorkerInit workerInit;
    private ProgressListener progress;
    private LoaderState resumeFrom;

    private Builder(BatchSource<B> source) {
      super(source, 0, 0, 2, false);
    }

    private Builder(java.util.function.Supplier<? extends BatchSource<B>> perBuild) {
      super(perBuild, 0, 0, 2, false);
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
     * also when throwing). The result is what the loader yields; its errors follow {@link
     * #onTransformError}. Returns a builder with every other setting of this one.
     *
     * @throws IllegalStateException if a custom {@link TransformErrorHandler} was set before: it is
     *     typed to the old result type, so set it after {@code collate}
     */
    public <C> Builder<B, C> collate(Function<? super B, ? extends C> fn) {
      return withTransform(fn, "collate");
    }

    /** Batches each worker loads ahead (default 2). */
    public Builder<B, T> prefetchFactor(int v) {
      return prefetch("prefetchFactor", v);
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
      checkRanks();
      return new DataLoader<>(this);
    }
  }
}
