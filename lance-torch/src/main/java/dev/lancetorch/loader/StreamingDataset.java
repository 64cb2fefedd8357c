package dev.lancetorch.loader;

import dev.lancetorch.Table;
import dev.lancetorch.internal.loader.EpochHooks;
import dev.lancetorch.internal.loader.EpochIterator;
import dev.lancetorch.internal.loader.LoaderEngine;
import dev.lancetorch.internal.loader.LoaderTask;
import dev.lancetorch.internal.loader.SplitLayout;
import dev.lancetorch.internal.loader.Workers;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
  private final SplitLayout layout;
  private final int rank;
  private final int worldSize;
  private final int numWorkers;
  private final int readBatchSize;
  private final int prefetchBatches;
  private final long timeoutNanos;
  private final long shuffleSeed;
  private final LoaderEngine<R> engine;

  private int nextEpoch;
  private int epochsStarted;
  private StreamingState resume;

  @SuppressWarnings("unchecked")
  private <B0> StreamingDataset(Builder<?, R> b) {
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
    BatchSource<B0> base = (BatchSource<B0>) b.sourceForBuild();
    BatchSource<Object> source;
    try {
      source = (BatchSource<Object>) ((Builder<B0, R>) b).selectedSource(base);
      this.layout =
          new SplitLayout(source.numRows(), b.numSplits, b.shuffle, b.seed, b.shuffleClumpSize);
      this.rank = b.rank;
      this.worldSize = b.worldSize;
      this.numWorkers = b.numWorkers;
      this.readBatchSize = b.readBatchSize;
      this.prefetchBatches = b.prefetch;
      this.timeoutNanos = b.timeout.toNanos();
      this.shuffleSeed = b.seed;
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
      this.engine =
          new LoaderEngine<>(
              "StreamingDataset",
              new Workers(source, numWorkers, true, shuffleSeed, null),
              b.transformSpec(b.transformParallelism));
    } catch (RuntimeException | Error e) {
      if (b.ownsSource()) {
        base.close();
      }
      throw e;
    }
    if (b.ownsSource()) {
      if (source != base) {
        engine.alsoClose(source);
      }
      engine.alsoClose(base);
    }
    engine.closeWhenUnreachable(this);
  }

  /** A dataset over {@code source}; the dataset does not take ownership of it. */
  public static <B> Builder<B, B> builder(BatchSource<B> source) {
    return new Builder<>(source);
  }

  /**
   * A dataset over {@code permutation}'s rows ({@code columns} and {@code filter} narrow it; each
   * worker reads through its own {@link Permutation#reopen()}); the dataset does not take ownership
   * of it.
   */
  public static <B> Builder<B, B> builder(Permutation<B> permutation) {
    return new Builder<>(new PermutationSource<>(permutation));
  }

  /**
   * A dataset over every row of {@code table}, as LanceDB's {@code StreamingDataset(table)}: its
   * defaults (shuffled, seed 0, one split per rank, batches of 64 rows read by 1 worker, 4 read
   * ahead) and rows as LanceDB's default output, Python dictionaries — here {@link Format#ROWS} (a
   * list of column → value maps per batch). Same as {@link #builder(Permutation)} over {@code
   * Permutation.identity(table)}, made by each {@code build()} and closed with the dataset it
   * built; the table is borrowed (close it after the dataset).
   */
  public static Builder<List<Map<String, Object>>, List<Map<String, Object>>> builder(Table table) {
    return builder(table, Format.ROWS);
  }

  /** Like {@link #builder(Table)}, the batches in {@code format}. */
  public static <B> Builder<B, B> builder(Table table, Format<B> format) {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(format, "format");
    return new Builder<>(
        () -> new PermutationSource<>(Permutation.identity(table).withFormat(format)));
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

  /**
   * The epoch the next {@link #iterator()} runs (default: 0, then one more per iterator).
   *
   * @throws IllegalArgumentException if {@code epoch < 0}
   */
  public synchronized void setEpoch(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    nextEpoch = epoch;
    if (resume != null && resume.epoch() != epoch) {
      resume = null;
    }
  }

  /**
   * One epoch of this rank's rows; abandons a previous live iterator. From the dataset's second
   * epoch on, the epoch after it is planned too, and its first windows read once this epoch has
   * begun reading its last one (within the source's read-ahead budget, as {@link DataLoader} does):
   * if the next {@code iterator()} runs that epoch from its start, it does not wait for its first
   * window; any other epoch ({@link #setEpoch}, a resume) drops that read. The first epoch reads
   * nothing ahead (a dataset may run only one).
   */
  @Override
  public synchronized Iterator<R> iterator() {
    int epoch = nextEpoch;
    StreamingState from = resume != null && resume.epoch() == epoch ? resume : null;
    Epoch record = new Epoch(epoch);
    List<List<LoaderTask>> perWorker = record.plan(from);
    List<List<LoaderTask>> next = epochsStarted++ > 0 ? new Epoch(epoch + 1).plan(null) : null;
    EpochIterator<R, Epoch> it =
        engine.start(epoch, perWorker, prefetchBatches, true, timeoutNanos, record, next);
    nextEpoch = epoch + 1;
    resume = null;
    return it;
  }

  /**
   * This rank's progress: per split it reads in the current epoch, rows delivered; -1 for other
   * splits. After a completed epoch: the next epoch, nothing delivered. Callable from any thread.
   */
  public synchronized StreamingState state() {
    EpochIterator<R, ?> it = engine.current();
    if (it != null && !it.isComplete()) {
      return ((Epoch) it.hooks()).snapshot();
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

  /**
   * A snapshot of the counters, with this rank's data-wait percentiles (overall and per worker);
   * callable from any thread.
   */
  public MetricsSnapshot metrics() {
    return MetricsSnapshot.of(engine.metrics().counts(), rank);
  }

  /**
   * Stops workers and transform threads, closes batches in flight and worker handles (bounded wait,
   * as {@link DataLoader#close()}). A consumer iterating on another thread then gets {@link
   * IllegalStateException} from {@code hasNext()}/{@code next()}, never a silently short epoch; a
   * dataset dropped without {@code close()} is closed by lance-torch's cleaner once unreachable.
   */
  @Override
  public void close() {
    engine.close();
  }

  /** One epoch of this rank: its tasks per worker and the rows delivered per split. */
  private final class Epoch implements EpochHooks {
    final int epoch;
    final long[] consumed;
    final Map<LoaderTask, int[]> splitsOfRows = new IdentityHashMap<>();

    Epoch(int epoch) {
      this.epoch = epoch;
      this.consumed = new long[layout.numSplits];
      Arrays.fill(consumed, -1);
    }

    /** Each worker's tasks, continuing {@code from} (null: from the start). */
    List<List<LoaderTask>> plan(StreamingState from) {
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
      return perWorker;
    }

    synchronized StreamingState snapshot() {
      return new StreamingState(epoch, shuffleSeed, layout.numRows, consumed);
    }

    @Override
    public synchronized void arrived(LoaderTask task, boolean skipped) {
      for (int split : splitsOfRows.get(task)) {
        consumed[split]++;
      }
    }
  }

  /**
   * Configures a {@link StreamingDataset}.
   *
   * @param <B> the source's batch type
   * @param <R> the type yielded after transform
   */
  public static final class Builder<B, R> extends LoaderBuilder<B, R, Builder<B, R>> {
    private int numSplits; // 0: worldSize, as LanceDB
    private int readBatchSize = 64;
    private int shuffleClumpSize = 1;
    private int transformParallelism;
    private StreamingState resumeFrom;
    private String[] columns;
    private String filter;

    private Builder(BatchSource<B> source) {
      super(source, 1, 1, 4, true);
    }

    private Builder(java.util.function.Supplier<? extends BatchSource<B>> perBuild) {
      super(perBuild, 1, 1, 4, true);
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

    /** {@code source} after {@link #columns} and {@link #filter}. */
    @SuppressWarnings("unchecked")
    BatchSource<B> selectedSource(BatchSource<B> source) {
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
      return prefetch("prefetchBatches", v);
    }

    public Builder<B, R> shuffleSeed(long v) {
      seed = v;
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
    public <C> Builder<B, C> transform(Function<? super B, ? extends C> fn) {
      return withTransform(fn, "transform");
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

    /**
     * Resume from this rank's own state, or from {@link StreamingDataset#mergeStates} for any world
     * size.
     */
    public Builder<B, R> resumeFrom(StreamingState v) {
      resumeFrom = v;
      return this;
    }

    public StreamingDataset<R> build() {
      checkRanks();
      return new StreamingDataset<>(this);
    }
  }
}
