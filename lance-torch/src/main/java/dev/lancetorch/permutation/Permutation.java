package dev.lancetorch.permutation;

import dev.lancetorch.ConnectionFactory;
import dev.lancetorch.Table;
import dev.lancetorch.internal.arrow.Renames;
import dev.lancetorch.internal.arrow.SqlExpression;
import dev.lancetorch.internal.bridge.SchemaExports;
import dev.lancetorch.internal.cache.DiskColumnCache;
import dev.lancetorch.internal.memory.Cleaners;
import dev.lancetorch.internal.permutation.LongArrayBuilder;
import dev.lancetorch.internal.permutation.RowStream;
import dev.lancetorch.internal.read.CacheHolder;
import dev.lancetorch.internal.read.PlanAccess;
import dev.lancetorch.internal.read.PlannedReads;
import dev.lancetorch.internal.read.RowReader;
import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.internal.read.TensorRechunker;
import dev.lancetorch.internal.read.WindowReader;
import dev.lancetorch.torch.NullFill;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.arrow.vector.types.pojo.Field;
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
  private final transient Closer closer;
  private final transient CacheHolder cache;
  private final transient PermutationSpec spec;
  private transient volatile PermutationReader<T> reading;
  private transient PlannedReads.Cursor planned; // this handle's announced batches; guarded by this
  private final transient SchemaExports exports = new SchemaExports();
  private transient volatile boolean closed; // this handle's close(); copies have their own

  private Permutation(
      Table table, boolean ownsTable, Closer closer, CacheHolder cache, PermutationSpec spec) {
    this.table = table;
    this.ownsTable = ownsTable;
    this.closer = closer;
    this.cache = cache;
    this.spec = spec;
  }

  /** A permutation over a fresh handle of the spec's table, owned by the caller. */
  static Permutation<?> open(PermutationSpec spec) {
    return new Permutation<>(
        spec.locator().open(), true, new Closer(), newCache(spec.cache()), spec);
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
    return nonEmpty(
        Permutations.of(base, requirePermTable(permutationTable, splitName)).split(splitName),
        "'" + splitName + "'",
        permutationTable);
  }

  /** As {@link #fromTables(Table, Table, String)}, by split index. */
  public static Permutation<ArrowBatch> fromTables(
      Table base, Table permutationTable, int splitIndex) {
    return nonEmpty(
        Permutations.of(base, requirePermTable(permutationTable, splitIndex)).split(splitIndex),
        String.valueOf(splitIndex),
        permutationTable);
  }

  private static Permutation<ArrowBatch> nonEmpty(
      Permutation<ArrowBatch> p, String split, Table perm) {
    if (p.numRows() == 0) {
      p.close();
      throw new IllegalArgumentException(
          "No rows found in the permutation table '" + perm.name() + "' for split " + split);
    }
    return p;
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

  private static Table requirePermTable(Table permutationTable, Object split) {
    if (permutationTable == null) {
      throw new IllegalArgumentException(
          "split " + split + " requested but no permutation table was given");
    }
    return permutationTable;
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
    Closer closer = new Closer();
    try {
      if (pinned != table) {
        closer.ownView(pinned);
      }
      RowSelection selection = select.apply(pinned);
      List<String> cols = pinned.schema().getFields().stream().map(Field::getName).toList();
      return new Permutation<>(
          pinned,
          false,
          closer,
          null,
          new PermutationSpec(
              new TableLocator.ByRef(pinned.reopenState()),
              selection,
              cols,
              Map.of(),
              DEFAULT_BATCH_SIZE,
              Format.ARROW,
              null,
              CacheOptions.none(),
              DEFAULT_READ_AHEAD_BYTES,
              NullFill.none()));
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

  private Permutation<T> copy(
      RowSelection sel, List<String> cols, Map<String, String> ren, int bs) {
    return with(spec.withRows(sel).withColumns(cols, ren).withBatchSize(bs));
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
    if (names.length == 0) {
      throw new IllegalArgumentException("Must select at least one column");
    }
    List<String> current = columnNames();
    List<String> base = new ArrayList<>();
    for (String n : names) {
      if (n.equals(RowReader.ROW_ID) && !current.contains(n)) {
        base.add(n);
      } else if (!current.contains(n)) {
        throw new IllegalArgumentException(
            "Cannot select column `" + n + "` because it does not exist; columns: " + current);
      } else {
        base.add(baseName(n));
      }
    }
    if (base.stream().distinct().count() != base.size()) {
      throw new IllegalArgumentException("duplicate column in selectColumns " + List.of(names));
    }
    return copy(spec.selection(), List.copyOf(base), spec.renames(), spec.batchSize());
  }

  /**
   * Only the rows of this permutation whose base-table row matches {@code sqlFilter}, in the same
   * order. Reads the matching row addresses once (8 bytes per matching row).
   *
   * @throws IllegalArgumentException if the filter does not parse or names a missing column
   */
  public Permutation<T> filter(String sqlFilter) {
    checkOpen();
    Table t = openTable();
    long[] matching;
    SqlExpression.requireSingle(
        Objects.requireNonNull(sqlFilter, "filter"), "filter on table '" + t.name() + "'");
    try (RowStream rows = RowStream.open(new TableBase(t), sqlFilter, null)) {
      LongArrayBuilder b = new LongArrayBuilder();
      while (rows.next()) {
        for (int i = 0; i < rows.size; i++) {
          b.add(rows.addrs[i]);
        }
      }
      matching = b.toArray(); // storage order = ascending addresses
    }
    java.util.Arrays.sort(matching);
    long[] mine = spec.selection().addresses(0, spec.selection().size(), new TableBase(t));
    LongArrayBuilder kept = new LongArrayBuilder();
    for (long a : mine) {
      if (java.util.Arrays.binarySearch(matching, a) >= 0) {
        kept.add(a);
      }
    }
    return copy(
        RowSelection.addresses(kept.toArray()), spec.columns(), spec.renames(), spec.batchSize());
  }

  /** Every column but these (current names). */
  public Permutation<T> removeColumns(String... names) {
    checkOpen();
    List<String> drop = new ArrayList<>();
    for (String n : names) {
      drop.add(baseName(n));
    }
    List<String> keep = spec.columns().stream().filter(c -> !drop.contains(c)).toList();
    if (keep.isEmpty()) {
      throw new IllegalArgumentException(
          "removeColumns " + List.of(names) + " would remove every column");
    }
    return copy(spec.selection(), keep, spec.renames(), spec.batchSize());
  }

  /** Renames a column in the batches (free: applied per batch without copying). */
  public Permutation<T> renameColumn(String oldName, String newName) {
    return renameColumns(Map.of(oldName, newName));
  }

  /** Renames columns (current name → new name). */
  public Permutation<T> renameColumns(Map<String, String> mapping) {
    checkOpen();
    Map<String, String> ren = new LinkedHashMap<>(spec.renames());
    List<String> current = columnNames();
    for (Map.Entry<String, String> e : mapping.entrySet()) {
      String base = baseName(e.getKey());
      String to = Objects.requireNonNull(e.getValue(), "new name");
      if (to.isEmpty()) {
        throw new IllegalArgumentException("cannot rename '" + e.getKey() + "' to an empty name");
      }
      if (current.contains(to) && !to.equals(e.getKey()) && !mapping.containsKey(to)) {
        throw new IllegalArgumentException(
            "cannot rename '" + e.getKey() + "' to '" + to + "': a column with that name exists");
      }
      ren.put(base, to);
    }
    Map<String, String> byFinalName = new LinkedHashMap<>();
    for (String c : spec.columns()) {
      String previous = byFinalName.put(ren.getOrDefault(c, c), c);
      if (previous != null) {
        throw new IllegalArgumentException(
            "renameColumns "
                + mapping
                + " gives two columns the name '"
                + ren.getOrDefault(c, c)
                + "' ('"
                + spec.renames().getOrDefault(previous, previous)
                + "' and '"
                + spec.renames().getOrDefault(c, c)
                + "')");
      }
    }
    return copy(
        spec.selection(), spec.columns(), Collections.unmodifiableMap(ren), spec.batchSize());
  }

  /** The batch size of {@link #iterator()} (default {@value #DEFAULT_BATCH_SIZE}, as LanceDB). */
  public Permutation<T> withBatchSize(int size) {
    checkOpen();
    if (size <= 0) {
      throw new IllegalArgumentException("batch size must be > 0, got " + size);
    }
    return copy(spec.selection(), spec.columns(), spec.renames(), size);
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
    return copy(
        spec.selection().withOffsetLimit(n, spec.selection().limit()),
        spec.columns(),
        spec.renames(),
        spec.batchSize());
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
    return copy(
        spec.selection().withOffsetLimit(spec.selection().offset(), n),
        spec.columns(),
        spec.renames(),
        spec.batchSize());
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
   * <p><b>Memory:</b> the cached columns live in lance-torch's own allocator (not the connection's)
   * and are shared in this JVM by every handle over the same table version and columns — the
   * workers of a {@code DataLoader} load them once between them. A handle's reference is released
   * by {@link #close()} (or when it becomes unreachable); the cache is freed with the last
   * reference.
   *
   * <p>The same as {@code withCache(cacheOptions().memory(maxBytes))}: a disk tier set before
   * stays.
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
   * <p><b>Two stages.</b> With a disk tier the first epoch is served in this permutation's exact
   * order from its first batch on: fragments whose files exist are read from them, the others
   * through the read planner while background threads fill their files by sequential scans (one per
   * fragment, on the thread budget's read threads); each fragment is served from its file once it
   * is sealed. Later epochs read only the files. Fragments that do not fit the disk budget keep
   * coming through the planner. The disk tier serves the planner's reads ({@link #withReadAhead}
   * above 0, the default), for every column type the planner reads.
   *
   * <p><b>Memory:</b> the RAM tier as {@link #withMemoryCache}; the disk tier's files are mapped
   * (their pages live in the operating system's page cache, not in the Java heap or lance-torch's
   * allocators, and are released when the last handle using them closes). {@code
   * CacheOptions.none()} turns caching off (the default).
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
    long filled = 0, bytes = 0, opened = 0, dropped = 0, skipped = 0, rows = 0, mapped = 0;
    boolean off = false;
    if (cache != null) {
      for (DiskColumnCache d : cache.disks()) {
        DiskColumnCache.Stats s = d.stats();
        filled += s.filledFragments();
        bytes += s.filledBytes();
        opened += s.openedFragments();
        dropped += s.droppedFiles();
        skipped += s.skippedFragments();
        rows += s.cachedRows();
        mapped += s.bytesOnDisk();
        off |= s.disabled();
      }
    }
    return new CacheStats(filled, bytes, opened, dropped, skipped, rows, mapped, off);
  }

  /** The cache options set by {@link #withCache} or {@link #withMemoryCache} (none by default). */
  public CacheOptions cacheOptions() {
    return spec.cache();
  }

  /**
   * The read-ahead budget of shuffled reads (default {@value #DEFAULT_READ_AHEAD_BYTES} bytes = 64
   * MiB): batches are read a <em>window</em> of upcoming batches at a time, as many whole batches
   * as fit in a third of {@code maxBytes} of output (at least one); while one window is handed out,
   * the next two are read ahead on background threads, both at once (one read's waits on Lance are
   * filled by the other's work), so a training loop does not wait for window reads. The window's
   * rows are cut into parts (per fragment, and by ranges of row offsets inside a large fragment),
   * read in parallel on the read threads ({@link
   * dev.lancetorch.threads.ThreadBudget#readThreads()}); per part the planner chooses, by a
   * measured cost model, one coalesced Lance take of its rows or a range scan of the rows covering
   * them (when they are dense) with native selection — or a native gather from the memory cache —
   * and native code copies every row straight into its batch. The order is exactly this
   * permutation's and every batch has its exact size. For fixed-width columns (integers, floats,
   * bools, {@code FixedSizeList}s of those; {@code _rowid}); other column sets read one take per
   * batch.
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
   * workers; a value given for one column ({@link #withNullFill(String, double)}) wins. As {@code
   * TorchBatch}'s {@link dev.lancetorch.torch.ColumnOptions#fillNulls}: the value is cast to the
   * column's dtype; null rows and null {@code FixedSizeList} items become it; in variable-length
   * columns null rows become empty rows and null items the value; padded columns ({@link
   * Format#torchDict}) use it unless their {@code PadOptions} fill nulls themselves. Filled columns
   * are copies, only in batches that have nulls. {@code ARROW}, {@code ROWS}, {@code COLUMNS} and
   * transforms keep nulls. Without a fill value a null is an error naming the column.
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
    return withNullFill(spec.nullFill().withColumn(baseName(column), value));
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
    return spec.columns().stream().map(c -> spec.renames().getOrDefault(c, c)).toList();
  }

  /** Arrow schema of each batch (after selection and renames). */
  public Schema schema() {
    checkOpen();
    Schema full = openTable().schema();
    List<Field> fields = new ArrayList<>();
    for (String c : spec.columns()) {
      Field f =
          c.equals(RowReader.ROW_ID) && !hasColumn(full, c)
              ? Field.notNullable(
                  c, new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, false))
              : full.findField(c);
      fields.add(spec.renames().containsKey(c) ? Renames.renamed(f, spec.renames().get(c)) : f);
    }
    return new Schema(fields);
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
    long n = numRows();
    for (long o : offsets) {
      if (o < 0 || o >= n) {
        throw new IndexOutOfBoundsException(
            "offset "
                + o
                + " out of range: permutation of table '"
                + openTable().name()
                + "' has "
                + n
                + " rows");
      }
    }
    PlannedReads.Cursor plan;
    synchronized (this) {
      plan = planned;
    }
    if (plan != null) {
      @SuppressWarnings("unchecked")
      T b = (T) plan.take(offsets);
      if (b != null) {
        return b;
      }
      dropPlan(plan);
    }
    return reading().take(offsets);
  }

  /**
   * Reads ahead for one consumer: the next {@link #takeOffsets} calls of this handle will ask these
   * batches in this order, so the read planner ({@link #withReadAhead}) reads them a window at a
   * time, with this handle's read-ahead budget ({@code DataLoader} workers share one {@link
   * #planBatches} of the epoch instead). Consecutive ranges of an identity permutation (a loader
   * without shuffle and one worker) are instead read as one stream, as {@link #iter} reads them
   * (zero-copy tensors, variable-length columns too). A call that asks anything else ends the plan
   * and is read the plain way; an empty list drops the plan. The batches must not be modified
   * afterwards. A no-op when no plan applies or read-ahead is off ({@code withReadAhead(0)}).
   */
  void planReads(List<long[]> batches) {
    checkOpen();
    replacePlan(batches);
  }

  private void replacePlan(List<long[]> batches) {
    PlannedReads.Cursor old;
    synchronized (this) {
      old = planned;
      planned = null;
    }
    if (old != null) {
      old.close();
    }
    if (batches.isEmpty() || spec.readAheadBytes() == 0) {
      return;
    }
    if (!inRange(batches)) {
      return; // takeOffsets reports it
    }
    PlannedReads plan = spec.selection().scansInOrder() ? SequentialReads.of(this, batches) : null;
    if (plan == null) {
      plan = planBatches(batches, null);
    }
    if (plan != null) {
      synchronized (this) {
        planned = new PlannedReads.Cursor(plan);
      }
    }
  }

  /**
   * Reads these batches once, in this order, through the read planner ({@link #withReadAhead}), for
   * any number of threads: {@link PlannedBatches#take(int)} hands out batch {@code i}, in any order
   * and from any thread, while the planner reads the windows ahead. This is how a {@code
   * DataLoader}'s workers share one plan per epoch (one scan of a fragment for all of them, one
   * read-ahead budget). Batches may have any sizes (a loader's workers each end with a shorter
   * one); the planner's windows hold whole batches. The caller owns the result and closes it; the
   * batches must not be modified afterwards. Null when no plan applies: read-ahead off, an empty
   * batch, an offset out of range, or columns the planner does not read (then read with {@link
   * #takeOffsets}).
   */
  PlannedBatches<T> planBatches(List<long[]> batches) {
    return planBatches(batches, null);
  }

  /**
   * Like {@link #planBatches(List)}, read after {@code after}: its first windows are read once
   * {@code after} has begun reading its last one, in the window slots that one leaves free (or when
   * a batch of it is first asked, if sooner), so a loader's next epoch is read while this one's
   * last window is read and handed out — the windows alive of both stay within the read-ahead
   * budget. With {@code after} null it starts now.
   */
  PlannedBatches<T> planBatches(List<long[]> batches, PlannedBatches<?> after) {
    checkOpen();
    if (batches.isEmpty() || spec.readAheadBytes() == 0 || !inRange(batches)) {
      return null;
    }
    WindowReader r = plannedReader(batches);
    if (r == null) {
      return null;
    }
    if (after == null) {
      r.start();
    } else {
      r.readAfter(after.reader());
    }
    return new PlannedBatches<>(this, List.copyOf(batches), r);
  }

  /**
   * True when {@link #planReads} reads these batches as one stream (consecutive ranges of an
   * identity permutation) rather than through the read planner.
   */
  boolean streams(List<long[]> batches) {
    checkOpen();
    return spec.readAheadBytes() != 0
        && spec.selection().scansInOrder()
        && inRange(batches)
        && PlannedReads.consecutive(batches);
  }

  private boolean inRange(List<long[]> batches) {
    long n = numRows();
    for (long[] b : batches) {
      for (long o : b) {
        if (o < 0 || o >= n) {
          return false;
        }
      }
    }
    return true;
  }

  /** A planner over the batches' row addresses, or null when they cannot be planned. */
  private WindowReader plannedReader(List<long[]> batches) {
    long[] addrs = spec.selection().plannedAddresses(batches, readTable());
    return addrs == null
        ? null
        : windowReader(addrs, PlannedReads.sizes(batches), new WindowReader.Stats());
  }

  private void dropPlan(PlannedReads.Cursor plan) {
    synchronized (this) {
      if (planned == plan) {
        planned = null;
      }
    }
    plan.close();
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
   * Releases the memory cache, if any, and closes the table handle if this permutation owns it
   * (from {@link #reopen()} or deserialization): its open iterators are closed first (a {@code
   * next()} in progress finishes; later calls throw {@link IllegalStateException}), batches already
   * returned stay valid. Safe to call twice. Every other method of this handle then throws {@link
   * IllegalStateException}; copies made from it (over a borrowed table) stay usable.
   */
  @Override
  public void close() {
    closed = true;
    replacePlan(List.of());
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

  Closer closer() {
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

  RowReader reader() {
    return reading().rows();
  }

  T format(org.apache.arrow.vector.VectorSchemaRoot root) {
    return reading().format(root);
  }

  /** True when batches come straight from the native tensor scan (runs in a tensor format). */
  boolean readsTensorsNatively() {
    return reading().readsTensorsNatively();
  }

  /**
   * The planner over the addresses {@code addrs} (this permutation's order, or a worker's share) in
   * batches of {@code size}, or null when it does not apply (see {@link PermutationReader}).
   */
  WindowReader windowReader(long[] addrs, int size, WindowReader.Stats stats) {
    return reading().windowReader(addrs, WindowReader.uniformSizes(addrs.length, size), stats);
  }

  /** As {@link #windowReader(long[], int, WindowReader.Stats)}, for batches of their own sizes. */
  WindowReader windowReader(long[] addrs, int[] sizes, WindowReader.Stats stats) {
    return reading().windowReader(addrs, sizes, stats);
  }

  /** True when {@code other} makes the same batches from the planner's rows (a reopened copy). */
  boolean formatsLike(Permutation<?> other) {
    return spec.columns().equals(other.spec.columns())
        && spec.renames().equals(other.spec.renames())
        && spec.format().equals(other.spec.format())
        && spec.nullFill().equals(other.spec.nullFill())
        && Objects.equals(spec.transform(), other.spec.transform());
  }

  /** Formats a batch from the planner (takes ownership of it). */
  T format(dev.lancetorch.internal.bridge.NativeBatch batch) {
    return reading().format(batch);
  }

  T format(List<TensorRechunker.Piece> pieces) {
    return reading().format(pieces);
  }

  private String baseName(String current) {
    for (String c : spec.columns()) {
      if (spec.renames().getOrDefault(c, c).equals(current)) {
        return c;
      }
    }
    if (!spec.renames().containsKey(current) || spec.renames().get(current).equals(current)) {
      Schema full = openTable().schema();
      if (hasColumn(full, current) || current.equals(RowReader.ROW_ID)) {
        return current;
      }
    }
    throw new IllegalArgumentException(
        "unknown column '"
            + current
            + "' in permutation of table '"
            + openTable().name()
            + "'; columns: "
            + columnNames());
  }

  private static boolean hasColumn(Schema s, String name) {
    return s.getFields().stream().anyMatch(f -> f.getName().equals(name));
  }

  private Object writeReplace() throws ObjectStreamException {
    if (spec.transform() != null && !(spec.transform() instanceof Serializable)) {
      throw new java.io.NotSerializableException(
          "the permutation's transform is not Serializable: "
              + spec.transform().getClass().getName());
    }
    return spec;
  }

  /**
   * Shared close flag of the permutations that share one table handle, and the iterators open over
   * it: closing an owned handle closes them first, so nothing they hold outlives the table.
   */
  static final class Closer {
    private final java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.Set<BatchIterator.OpenReads> open =
        java.util.concurrent.ConcurrentHashMap.newKeySet();

    boolean markClosed() {
      return closed.compareAndSet(false, true);
    }

    /**
     * Closes {@code view} (a pinned view of a borrowed table) once no permutation or iterator of it
     * is reachable.
     */
    void ownView(Table view) {
      Cleaners.CLEANER.register(this, view::close);
    }

    void opened(BatchIterator.OpenReads reads) {
      open.add(reads);
    }

    void forget(BatchIterator.OpenReads reads) {
      open.remove(reads);
    }

    /** Closes every open iterator (each waits for a {@code next()} in progress). */
    void closeIterators() {
      RuntimeException failure = null;
      for (BatchIterator.OpenReads r : List.copyOf(open)) {
        try {
          r.run();
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    }

    /** Iterators still open over this handle (for tests). */
    int openIterators() {
      return open.size();
    }

    boolean isClosed() {
      return closed.get();
    }
  }
}
