package dev.lancetorch.permutation;

import dev.lancetorch.ConnectionFactory;
import dev.lancetorch.Table;
import dev.lancetorch.internal.bridge.SchemaExports;
import dev.lancetorch.internal.memory.CloseAll;
import dev.lancetorch.internal.read.CacheHolder;
import dev.lancetorch.internal.read.PlanAccess;
import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.torch.NullFill;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A lazy view of a table — which rows, in what order, which columns, in what output format — read
 * in batches; the Java counterpart of LanceDB's {@code Permutation}. Immutable: every {@code
 * with*}/{@code select*} returns a new permutation sharing the same table handle.
 *
 * <p><b>Reading.</b> Identity windows and contiguous runs are read with Lance scans (zero-copy
 * through the Arrow C Data Interface); shuffled rows a window of upcoming batches at a time by a
 * read planner ({@link #withReadAhead}), or one Lance take per batch, put back in permutation
 * order. Reads use the table version the permutation was made on.
 *
 * <p><b>Ownership.</b> {@link #identity} and {@link #fromTables} <em>borrow</em> the table (the
 * caller keeps closing it); a permutation from {@link #reopen()} or deserialization <em>owns</em>
 * its own table handle and closes it in {@link #close()}. Every batch returned is owned by the
 * caller (see {@link Format}).
 *
 * <p><b>Threads.</b> A permutation may be read from several threads (the table handle is
 * thread-safe); for parallel loading give each worker its own handle with {@link #reopen()}, as
 * {@code DataLoader} does.
 *
 * <p><b>Serialization.</b> Serializable: carries the base table's reopen state (or the {@link
 * ConnectionFactory} given with {@link #withConnectionFactory}) and the row selection as data,
 * never native handles. The default reopen state carries the table's storage options (credentials
 * included); use a connection factory to keep them out.
 *
 * @param <T> the batch type, set by {@link #withFormat} or {@link #withTransform}
 */
public final class Permutation<T> implements AutoCloseable, Iterable<T>, Serializable {
  private static final long serialVersionUID = 1L;

  /** LanceDB's default batch size. */
  public static final int DEFAULT_BATCH_SIZE = 100;

  /** Default read-ahead budget of shuffled reads: 64 MiB ({@link #withReadAhead}). */
  public static final long DEFAULT_READ_AHEAD_BYTES = 64L << 20;

  static {
    PlanAccess.install(new PlanHooks());
  }

  private final transient Table table;
  private final transient boolean ownsTable;
  private final transient TableCloser closer;
  private final transient CacheHolder cache;
  private final transient PermutationSpec spec;
  private transient volatile PermutationReader<T> reading;
  private final transient ReadPlans<T> plans = new ReadPlans<>(this);
  private final transient SchemaExports exports = new SchemaExports();
  private transient volatile boolean closed; // this handle's close(); copies have their own

  /** The open iterators this handle made (its {@link #close()} closes them; copies have theirs). */
  private final transient java.util.Set<BatchIterator.OpenReads> openReads =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Permutation(
      Table table, boolean ownsTable, TableCloser closer, CacheHolder cache, PermutationSpec spec) {
    this.table = table;
    this.ownsTable = ownsTable;
    this.closer = closer;
    this.cache = cache;
    this.spec = spec;
  }

  /** A permutation over a fresh handle of the spec's table, owned by the caller. */
  static Permutation<?> open(PermutationSpec spec) {
    return new Permutation<>(
        spec.locator().open(), true, new TableCloser(), newCache(spec.cache()), spec);
  }

  /**
   * All rows of {@code table} in storage order, every column, {@link Format#ARROW}. Borrows {@code
   * table}.
   */
  public static Permutation<ArrowBatch> identity(Table table) {
    return create(table, t -> RowSelection.identity(t.countRows()));
  }

  /**
   * The rows of one split of a permutation table, in the order it stores them. Borrows both tables
   * (the permutation table is read once, here).
   *
   * @throws IllegalArgumentException for an unknown split, a split without rows (as LanceDB: "No
   *     rows found in the permutation table for the given split"), a missing permutation table, or
   *     one without {@code row_id}/{@code split_id}
   */
  public static Permutation<ArrowBatch> fromTables(
      Table base, Table permutationTable, String splitName) {
    return Permutations.of(base, Permutations.required(permutationTable, splitName))
        .nonEmptySplit(splitName, permutationTable);
  }

  /** As {@link #fromTables(Table, Table, String)}, by split index. */
  public static Permutation<ArrowBatch> fromTables(
      Table base, Table permutationTable, int splitIndex) {
    return Permutations.of(base, Permutations.required(permutationTable, splitIndex))
        .nonEmptySplit(splitIndex, permutationTable);
  }

  /**
   * Every row of split 0 when {@code permutationTable} is given, else the identity permutation of
   * {@code base}.
   */
  public static Permutation<ArrowBatch> fromTables(Table base, Table permutationTable) {
    return permutationTable == null ? identity(base) : fromTables(base, permutationTable, 0);
  }

  /** A builder of permutation tables (splits, shuffles, filters) over {@code table}. */
  public static PermutationBuilder builder(Table table) {
    return new PermutationBuilder(table);
  }

  /**
   * A permutation over {@code table} at its current version: unless the table is pinned already, it
   * reads through a {@link Table#checkoutCurrent()} view (same snapshot, no reopen), so every read
   * path — scans, takes, the memory cache, native streams — uses the version the permutation was
   * made on, whatever the table does later. The view is closed with the table, or when the
   * permutation and all its copies and iterators are unreachable.
   */
  static Permutation<ArrowBatch> create(Table table, Function<Table, RowSelection> select) {
    Table pinned = table.isPinned() ? table : table.checkoutCurrent();
    TableCloser closer = new TableCloser();
    try {
      if (pinned != table) {
        closer.ownView(pinned);
      }
      return new Permutation<>(
          pinned, false, closer, null, PermutationSpec.initial(pinned, select.apply(pinned)));
    } catch (RuntimeException | Error e) {
      if (pinned != table) {
        pinned.close();
      }
      throw e;
    }
  }

  // ---- immutable modifiers ----

  /** A copy over the same table handle with {@code next} as its settings. */
  @SuppressWarnings("unchecked")
  private <U> Permutation<U> with(PermutationSpec next) {
    if (next.transform() == null) {
      BatchFormatter.requirePaddedColumns(next.format().padding(), next.columnNames());
    }
    return (Permutation<U>) new Permutation<>(table, ownsTable, closer, cache, next);
  }

  /** A copy over the same table handle with another memory cache, read-ahead or null fill. */
  private Permutation<T> withHandleSettings(
      CacheHolder ch, CacheOptions options, long readAhead, NullFill fill) {
    return new Permutation<>(
        table, ownsTable, closer, ch, spec.withBudgets(options, readAhead).withNullFill(fill));
  }

  /**
   * Only these columns (current names, in this order), read from storage; {@code _rowid} may be
   * selected. As LanceDB's {@code select_columns} this refines the current selection: a column
   * removed earlier cannot be selected again.
   *
   * @throws IllegalArgumentException for a column not in {@link #columnNames()} (other than {@code
   *     _rowid})
   */
  public Permutation<T> selectColumns(String... names) {
    checkOpen();
    return with(spec.selectColumns(names, openTable()));
  }

  /**
   * Only the rows of this permutation whose base-table row matches {@code sqlFilter}, in the same
   * order. Reads the matching row addresses once (8 bytes per matching row).
   *
   * @throws IllegalArgumentException if the filter does not parse or names a missing column
   */
  public Permutation<T> filter(String sqlFilter) {
    checkOpen();
    return with(spec.withRows(reading().filter(sqlFilter)));
  }

  /** Every column but these (current names). */
  public Permutation<T> removeColumns(String... names) {
    checkOpen();
    return with(spec.removeColumns(names, openTable()));
  }

  /** Renames a column in the batches (free: applied per batch without copying). */
  public Permutation<T> renameColumn(String oldName, String newName) {
    return renameColumns(Map.of(oldName, newName));
  }

  /** Renames columns (current name → new name). */
  public Permutation<T> renameColumns(Map<String, String> mapping) {
    checkOpen();
    return with(spec.renameColumns(mapping, openTable()));
  }

  /** The batch size of {@link #iterator()} (default {@value #DEFAULT_BATCH_SIZE}, as LanceDB). */
  public Permutation<T> withBatchSize(int size) {
    checkOpen();
    if (size <= 0) {
      throw new IllegalArgumentException("batch size must be > 0, got " + size);
    }
    return with(spec.withBatchSize(size));
  }

  /**
   * Starts at row {@code n} of the permutation, as LanceDB's {@code with_skip}: an absolute offset,
   * not added to an earlier skip; a {@link #withTake} limit still applies from there ({@code
   * withTake(100).withSkip(100)} = rows 100..199).
   *
   * @throws IllegalArgumentException if {@code n} (plus the limit) is past the permutation's rows,
   *     as in LanceDB
   */
  public Permutation<T> withSkip(long n) {
    checkOpen();
    if (n < 0) {
      throw new IllegalArgumentException("skip must be >= 0, got " + n);
    }
    return with(spec.withRows(spec.selection().withOffsetLimit(n, spec.selection().limit())));
  }

  /**
   * {@code n} rows from the offset, as LanceDB's {@code with_take}: an absolute limit (a later call
   * replaces it).
   *
   * @throws IllegalArgumentException if offset + {@code n} is past the permutation's rows, as in
   *     LanceDB
   */
  public Permutation<T> withTake(long n) {
    checkOpen();
    if (n < 0) {
      throw new IllegalArgumentException("take must be >= 0, got " + n);
    }
    return with(spec.withRows(spec.selection().withOffsetLimit(spec.selection().offset(), n)));
  }

  /** The same rows in another output format (drops any transform). */
  public <U> Permutation<U> withFormat(Format<U> fmt) {
    checkOpen();
    return with(spec.withOutput(Objects.requireNonNull(fmt, "format"), null));
  }

  /**
   * Batches as {@code fn(batch)}; the {@link ArrowBatch} is <em>borrowed</em> by {@code fn} and
   * closed when it returns, so {@code fn} must not keep it (copy what it needs). For workers in
   * other JVMs make {@code fn} {@link Serializable}.
   */
  public <U> Permutation<U> withTransform(Function<ArrowBatch, U> fn) {
    checkOpen();
    return with(spec.withOutput(Format.ARROW, Objects.requireNonNull(fn, "transform")));
  }

  /**
   * Serves shuffled (non-contiguous) reads from an in-memory copy of the selected columns, loaded
   * by one sequential scan on first use, instead of one Lance take per batch — typically 100×
   * faster for shuffled epochs. Only when the columns fit in {@code maxBytes} (and the table has no
   * deleted rows); otherwise reads use takes as before. {@code 0} turns it off (the default).
   *
   * <p>The same as {@code withCache(cacheOptions().memory(maxBytes))}: a disk tier set before
   * stays. Memory: see {@link CacheOptions} (shared by the handles of this JVM, freed with the
   * last).
   */
  public Permutation<T> withMemoryCache(long maxBytes) {
    checkOpen();
    if (maxBytes < 0) {
      throw new IllegalArgumentException("memory cache size must be >= 0, got " + maxBytes);
    }
    return withCache(spec.cache().memory(maxBytes));
  }

  /**
   * Keeps local copies of the columns this permutation reads, so that shuffled epochs read at the
   * speed of a local scan whatever the table's size, column types or storage ({@code s3://}
   * included). See {@link CacheOptions}: a RAM tier (the columns loaded into process memory when
   * they fit its budget) and a disk tier (each fragment's columns in a file laid out for random
   * access, memory-mapped, shared by the JVMs of this machine and kept across restarts).
   *
   * <p>With a disk tier the first epoch is served in this permutation's exact order from its first
   * batch on while background threads fill the files; later epochs read only the files. See {@link
   * CacheOptions} for the two stages and the memory each tier holds. {@code CacheOptions.none()}
   * turns caching off (the default).
   */
  public Permutation<T> withCache(CacheOptions options) {
    checkOpen();
    Objects.requireNonNull(options, "options");
    return withHandleSettings(newCache(options), options, spec.readAheadBytes(), spec.nullFill());
  }

  /**
   * Fills the disk cache now, before any epoch: one sequential scan per fragment of this version
   * that is not cached yet and fits the budget (in parallel on the read threads), waiting until
   * every fill ended. Optional — the first epoch fills the cache while it reads — but it turns a
   * first epoch over object storage into sequential reads only. A no-op without a disk tier.
   *
   * @return this permutation
   */
  public Permutation<T> fillCache() {
    checkOpen();
    reading().fillCache();
    return this;
  }

  /** What this permutation's disk cache has done in this JVM (all zero without a disk tier). */
  public CacheStats cacheStats() {
    checkOpen();
    return CacheStats.of(cache);
  }

  /** The cache options set by {@link #withCache} or {@link #withMemoryCache} (none by default). */
  public CacheOptions cacheOptions() {
    return spec.cache();
  }

  /**
   * The read-ahead budget of shuffled reads (default {@value #DEFAULT_READ_AHEAD_BYTES} bytes = 64
   * MiB): batches are read a <em>window</em> of upcoming batches at a time, as many whole batches
   * as fit in a third of {@code maxBytes} of output (at least one); while one window is handed out,
   * the next two are read ahead on background threads, so a training loop does not wait for window
   * reads. Rows are read in parallel on the read threads ({@link
   * dev.lancetorch.threads.ThreadBudget#readThreads()}) by the cheapest of a coalesced Lance take,
   * a range scan, or a native gather from the cache (docs/architecture.md, "read planner"). The
   * order is exactly this permutation's and every batch has its exact size. For fixed-width columns
   * (integers, floats, bools, {@code FixedSizeList}s of those; {@code _rowid}); other column sets
   * read one take per batch.
   *
   * <p><b>Memory:</b> at most {@code maxBytes} for the three windows' batches not yet returned (at
   * least three batches; a loader's next epoch, read ahead, shares them), plus one scan batch (64 k
   * rows) in flight per part being read. The workers of a {@code DataLoader} share one plan per
   * epoch and so this one budget, plus the batches read for a worker that has not taken them yet.
   * {@code 0} turns read-ahead off: one take per batch.
   */
  public Permutation<T> withReadAhead(long maxBytes) {
    checkOpen();
    if (maxBytes < 0) {
      throw new IllegalArgumentException("read-ahead must be >= 0 bytes, got " + maxBytes);
    }
    return withHandleSettings(cache, spec.cache(), maxBytes, spec.nullFill());
  }

  /**
   * Nulls in every column become {@code value} in the tensor formats ({@code TORCH}, {@code
   * TORCH_ROW}, {@code TORCH_COL}, {@code TORCH_DICT}), whichever path reads them (scans, takes,
   * the read planner, the memory cache) and in a {@code DataLoader}'s or {@code StreamingDataset}'s
   * workers; a value given for one column ({@link #withNullFill(String, double)}) wins. The value
   * is applied as {@link NullFill} says (cast to the column's dtype; null rows and items); padded
   * columns ({@link Format#torchDict}) use it unless their {@code PadOptions} fill nulls
   * themselves. {@code ARROW}, {@code ROWS}, {@code COLUMNS} and transforms keep nulls. Without a
   * fill value a null is an error naming the column.
   */
  public Permutation<T> withNullFill(double value) {
    checkOpen();
    return withNullFill(spec.nullFill().withAll(value));
  }

  /**
   * Nulls in {@code column} (its current name; the fill follows later renames) become {@code value}
   * in the tensor formats, as {@link #withNullFill(double)}.
   *
   * @throws IllegalArgumentException for a column not in {@link #columnNames()}
   */
  public Permutation<T> withNullFill(String column, double value) {
    checkOpen();
    if (!columnNames().contains(column)) {
      throw new IllegalArgumentException(
          "withNullFill: no column '" + column + "'; columns: " + columnNames());
    }
    return withNullFill(spec.nullFill().withColumn(spec.baseName(column, openTable()), value));
  }

  /**
   * The null fills of the tensor formats, per column by current name (default {@link
   * NullFill#none()}: nulls are an error).
   */
  public NullFill nullFill() {
    checkOpen();
    return spec.nullFill().renamed(spec.renames());
  }

  private Permutation<T> withNullFill(NullFill fill) {
    return withHandleSettings(cache, spec.cache(), spec.readAheadBytes(), fill);
  }

  /** The read-ahead budget in bytes ({@link #withReadAhead}); 0 when off. */
  public long readAheadBytes() {
    checkOpen();
    return spec.readAheadBytes();
  }

  /** Bytes held by this permutation's memory cache (0 when off or not loaded yet). */
  public long memoryCacheBytes() {
    checkOpen();
    return cache == null ? 0 : cache.bytes();
  }

  /**
   * Workers (and deserialized copies) open the base table through {@code factory} instead of its
   * reopen state.
   */
  public Permutation<T> withConnectionFactory(ConnectionFactory factory) {
    checkOpen();
    return with(
        spec.withLocator(
            new TableLocator.ByFactory(
                Objects.requireNonNull(factory, "factory"), table.name(), table.version())));
  }

  // ---- shape ----

  /** Rows in this permutation (after skip/take). */
  public long numRows() {
    checkOpen();
    return spec.selection().size();
  }

  /** Columns in each batch. */
  public int numColumns() {
    checkOpen();
    return spec.columns().size();
  }

  /** Column names in each batch, after renames. */
  public List<String> columnNames() {
    checkOpen();
    return spec.columnNames();
  }

  /** Arrow schema of each batch (after selection and renames). */
  public Schema schema() {
    checkOpen();
    return spec.schema(openTable().schema());
  }

  /** {@code {numRows, numColumns}}. */
  public long[] shape() {
    return new long[] {numRows(), numColumns()};
  }

  /** The batch size of {@link #iterator()}. */
  public int batchSize() {
    checkOpen();
    return spec.batchSize();
  }

  /** The output format ({@link Format#ARROW} under a transform). */
  public Format<?> format() {
    checkOpen();
    return spec.format();
  }

  // ---- reading ----

  /**
   * Batches of {@link #batchSize()} rows, the last partial batch skipped (LanceDB's {@code
   * __iter__}).
   */
  @Override
  public BatchIterator<T> iterator() {
    return iter(spec.batchSize(), true);
  }

  /**
   * Batches of {@code size} rows in permutation order. The iterator holds a scan open until it
   * returns its last batch, is closed, fails, or becomes unreachable (see {@link BatchIterator}): a
   * for-each left with {@code break} leaks nothing, but try-with-resources releases the scan at
   * once.
   */
  public BatchIterator<T> iter(int size, boolean skipLastBatch) {
    checkOpen();
    if (size <= 0) {
      throw new IllegalArgumentException("batch size must be > 0, got " + size);
    }
    return new BatchIterator<>(this, size, skipLastBatch);
  }

  /**
   * The rows at these offsets of the permutation ({@code 0 <= offset < numRows()}), in order, as
   * one batch.
   */
  public T takeOffsets(long... offsets) {
    checkOpen();
    reading().checkOffsets(offsets);
    T planned = plans.take(offsets);
    if (planned != null) {
      return planned;
    }
    return reading().take(offsets);
  }

  /** See {@link ReadPlans#replace}: this handle's next {@link #takeOffsets} calls. */
  void planReads(List<long[]> batches) {
    checkOpen();
    plans.replace(batches);
  }

  /** See {@link ReadPlans#share}, starting now. */
  PlannedBatches<T> planBatches(List<long[]> batches) {
    return planBatches(batches, null);
  }

  /** See {@link ReadPlans#share}. */
  PlannedBatches<T> planBatches(List<long[]> batches, PlannedBatches<?> after) {
    checkOpen();
    return plans.share(batches, after);
  }

  /** See {@link ReadPlans#streams}. */
  boolean streams(List<long[]> batches) {
    checkOpen();
    return plans.streams(batches);
  }

  /** The single row at {@code offset}, as a one-row batch in the current format. */
  public T get(long offset) {
    return takeOffsets(offset);
  }

  /** A copy with its own table handle (for another thread), owned by the caller: close it. */
  @SuppressWarnings("unchecked")
  public Permutation<T> reopen() {
    checkOpen();
    return (Permutation<T>) open(spec);
  }

  /** Bytes held by a batch of this permutation's format, for loader metrics; -1 if unknown. */
  public long sizeInBytes(T batch) {
    checkOpen();
    return BatchFormatter.sizeInBytes(batch);
  }

  /**
   * Closes the iterators this handle opened (a {@code next()} in progress finishes; later calls
   * throw {@link IllegalStateException}; a for-each left with {@code break} stops reading here
   * rather than at the next garbage collection), releases the cache, if any, and closes the table
   * handle if this permutation owns it (from {@link #reopen()} or deserialization): then the open
   * iterators of every copy over that table are closed first too. Batches already returned stay
   * valid. Safe to call twice. Every other method of this handle then throws {@link
   * IllegalStateException}; copies made from it (over a borrowed table) stay usable, with their own
   * iterators.
   */
  @Override
  public void close() {
    closed = true;
    try {
      CloseAll.each(List.copyOf(openReads), BatchIterator.OpenReads::run);
    } finally {
      closeCacheAndTable();
    }
  }

  private void closeCacheAndTable() {
    plans.replace(List.of());
    if (cache != null) {
      cache.close();
    }
    if (ownsTable && closer.markClosed()) {
      try {
        closer.closeIterators();
      } finally {
        table.close();
      }
    }
  }

  private static CacheHolder newCache(CacheOptions options) {
    return options.memoryBytes() == 0 && options.diskBytes() == 0
        ? null
        : new CacheHolder(options.diskDirectory(), options.diskBytes(), options.memoryBytes());
  }

  // ---- internals ----

  /** Every public method but {@link #close()} refuses a closed handle. */
  private void checkOpen() {
    if (closed || (ownsTable && closer.isClosed())) {
      throw new IllegalStateException(
          "permutation is closed (close() was called on this handle or on the handle owning its"
              + " table)");
    }
  }

  Table openTable() {
    if (ownsTable && closer.isClosed()) {
      throw new IllegalStateException("permutation is closed");
    }
    return table;
  }

  /** The open table as the readers' {@link dev.lancetorch.internal.read.ReadTable}. */
  TableBase readTable() {
    return new TableBase(openTable());
  }

  RowSelection selection() {
    return spec.selection();
  }

  PermutationSpec spec() {
    return spec;
  }

  java.util.Set<BatchIterator.OpenReads> openReads() {
    return openReads;
  }

  TableCloser closer() {
    return closer;
  }

  /**
   * The reader of this handle's spec (one per handle: it caches the table's fragment list and the
   * planner's view of the columns). Every read goes through it.
   */
  PermutationReader<T> reading() {
    Table t = openTable();
    PermutationReader<T> r = reading;
    if (r == null) {
      r = new PermutationReader<>(t, spec, cache, exports);
      reading = r;
    }
    return r;
  }

  private Object writeReplace() throws ObjectStreamException {
    if (spec.transform() != null && !(spec.transform() instanceof Serializable)) {
      throw new java.io.NotSerializableException(
          "the permutation's transform is not Serializable: "
              + spec.transform().getClass().getName());
    }
    return spec;
  }
}
