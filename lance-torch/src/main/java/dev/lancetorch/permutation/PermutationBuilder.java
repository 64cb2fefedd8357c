package dev.lancetorch.permutation;

import dev.lancetorch.Connection;
import dev.lancetorch.CreateMode;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.internal.arrow.Schemas;
import dev.lancetorch.internal.arrow.SqlExpression;
import dev.lancetorch.internal.permutation.CalculatedSplit;
import dev.lancetorch.internal.permutation.HashSplit;
import dev.lancetorch.internal.permutation.LanceDbShuffle;
import dev.lancetorch.internal.permutation.PermutationPlan;
import dev.lancetorch.internal.permutation.PermutationRowsReader;
import dev.lancetorch.internal.permutation.PermutationTableReader;
import dev.lancetorch.internal.permutation.ShuffleSpec;
import dev.lancetorch.internal.permutation.SmallRng;
import dev.lancetorch.internal.permutation.SpilledShuffleReader;
import dev.lancetorch.internal.permutation.SplitAssigner;
import dev.lancetorch.internal.permutation.SplitSpec;
import dev.lancetorch.internal.permutation.StreamingPermutationReader;
import dev.lancetorch.internal.permutation.UnstableSort;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Builds a LanceDB-compatible <em>permutation table</em> — row ids and split ids only, no data —
 * over a base table: splits (random, hash, sequential, calculated), shuffles (row or clump level)
 * and filters. The Java counterpart of LanceDB's {@code PermutationBuilder}.
 *
 * <p><b>Immutable:</b> every method returns a new builder; an earlier builder never changes. With
 * no calls the result is one split in storage order.
 *
 * <p><b>Format</b> (what LanceDB Python/Node read): {@code row_id: UInt64} (base row address,
 * {@code fragment << 32 | offset}), {@code split_id: UInt64} not null; schema metadata {@code
 * split_names} (JSON array, only when names were given) and {@code base_version} (decimal). Rows of
 * a split are stored in permutation order, the splits one after another.
 *
 * <p><b>Same calls, same rows as LanceDB</b> (docs/lancedb-compat.md): every split kind, shuffle
 * and clump size reproduces LanceDB's builder bit for bit — its random generator ({@link
 * SmallRng}), shuffler ({@link LanceDbShuffle}), hash ({@link HashSplit}), split-size rounding
 * ({@link SplitSizes}) and the unstable sort by split id that fixes the order inside each split
 * ({@link UnstableSort}). Order of operations, as LanceDB: filter → split (a random split shuffles
 * all rows with its seed and cuts the shuffled sequence into sizes) → shuffle (all rows at once,
 * with its own seed) → sort by split id. Without a shuffle, hash and calculated splits keep storage
 * order, a random split keeps its shuffled order, and sequential splits and "no split" take the
 * order LanceDB's sort leaves them in: storage order up to 32k rows, beyond that its merge of the
 * scan's 1024-row batches, which interleaves them (reproduced up to about 2.9M kept rows, where
 * LanceDB's sort starts spilling, and up to {@link #maxRows(long)} scanned rows; beyond either,
 * {@link #persist} keeps storage order). Same seeds, same table version → the same permutation
 * table. Beyond {@link #maxRows(long)} rows a shuffle spills (below) and its order is no longer
 * LanceDB's.
 *
 * <p><b>Memory:</b> hash and calculated splits without a shuffle, and sequential splits or "no
 * split" beyond those bounds, {@link #persist} streams: rows are scanned, assigned a split on the
 * fly and written in chunks of 64k rows — bounded memory whatever the table size. Smaller
 * sequential splits hold their row addresses (8 bytes per row plus the merge order). A shuffle
 * needs every row address of a split at once: 8 bytes per filtered row (plus growth slack and one
 * shuffled copy per split at a time), e.g. about 1.6 GB of heap for 100M rows. Beyond {@link
 * #maxRows(long)} rows (default 500M) a shuffled {@link #persist}/{@link #execute()} spills: a
 * two-pass external shuffle through bucket files in the temp directory (8 bytes per row on disk,
 * about {@code maxRows / 2} addresses in memory). Random splits and {@link #toPermutations()}
 * always hold their rows and refuse more than {@code maxRows} with a clear error. The result is a
 * function of the seeds and, once it spills, of {@code maxRows}.
 */
public final class PermutationBuilder {
  private final Table base;
  private final String filter;
  private final SplitSpec split;
  private final ShuffleSpec shuffle;
  private final long maxRows;

  PermutationBuilder(Table base) {
    this(Objects.requireNonNull(base, "base table"), null, null, null, 500_000_000L);
  }

  private PermutationBuilder(
      Table base, String filter, SplitSpec split, ShuffleSpec shuffle, long maxRows) {
    this.base = base;
    this.filter = filter;
    this.split = split;
    this.shuffle = shuffle;
    this.maxRows = maxRows;
  }

  /**
   * Random split: rows (or clumps of {@code clumpSize} consecutive rows) assigned to splits at
   * random.
   */
  public PermutationBuilder splitRandom(
      SplitSizes sizes, long seed, int clumpSize, List<String> names) {
    requireClump(clumpSize);
    return withSplit(new SplitSpec.Random(sizes, seed, clumpSize, names(names, sizes.numSplits())));
  }

  /** Random split of single rows, unnamed splits. */
  public PermutationBuilder splitRandom(SplitSizes sizes, long seed) {
    return splitRandom(sizes, seed, 1, null);
  }

  /**
   * Random split with a seed drawn from the operating system, as LanceDB does when no seed is
   * given.
   */
  public PermutationBuilder splitRandom(SplitSizes sizes) {
    return splitRandom(sizes, SmallRng.drawSeed(), 1, null);
  }

  /** Random split of single rows with split names. */
  public PermutationBuilder splitRandom(SplitSizes sizes, long seed, List<String> names) {
    return splitRandom(sizes, seed, 1, names);
  }

  /**
   * Hash split, stable under appends and identical to LanceDB's {@code splitHash}: a row's split
   * depends only on the values of {@code columns} (hashed as DataFusion does, see {@link
   * HashSplit}); {@code hash % (Σweights + discard)} picks the split, the last {@code
   * discardWeight} share of the hash space enters no split. Weights are positive integers, as in
   * LanceDB, summed (with the discard weight) as unsigned 64-bit values: a sum of 2^64 or more,
   * more than {@link SplitSizes#MAX_SPLITS} weights, or a column of a type LanceDB cannot hash is
   * an {@link IllegalArgumentException} here, at the call.
   */
  public PermutationBuilder splitHash(
      List<String> columns, long[] weights, long discardWeight, List<String> names) {
    if (columns == null || columns.isEmpty()) {
      throw new IllegalArgumentException("Hash strategy requires at least one column");
    }
    HashSplit.requireWeights(weights, discardWeight);
    Schemas.requireColumns(base.schema(), base.name(), columns, "splitHash");
    for (String c : columns) {
      HashSplit.requireHashable(base.schema().findField(c), base.name());
    }
    return withSplit(
        new SplitSpec.Hash(
            List.copyOf(columns), weights.clone(), discardWeight, names(names, weights.length)));
  }

  /** Hash split without discard, unnamed splits. */
  public PermutationBuilder splitHash(List<String> columns, long... weights) {
    return splitHash(columns, weights, 0, null);
  }

  /** Sequential split in storage order. */
  public PermutationBuilder splitSequential(SplitSizes sizes, List<String> names) {
    return withSplit(new SplitSpec.Sequential(sizes, names(names, sizes.numSplits())));
  }

  /** Sequential split in storage order, unnamed splits. */
  public PermutationBuilder splitSequential(SplitSizes sizes) {
    return splitSequential(sizes, null);
  }

  /**
   * Split given by an SQL expression over the row (e.g. {@code "CASE WHEN split = 'train' THEN 0
   * ELSE 1 END"}) that yields the split index, of an integer type (a float or decimal result is an
   * error, not truncated). With names, indexes must be in {@code [0, names.size())}; without, the
   * number of splits is the largest index + 1, at most {@link SplitSizes#MAX_SPLITS}. Null or
   * out-of-range values are an error naming the rows. The text must be one SQL expression ({@link
   * SqlExpression}); it is planned here, at the call (an unknown column, a syntax error, a result
   * that is not an integer, or a constant that is no valid index is an {@link
   * IllegalArgumentException} naming the expression and the table).
   */
  public PermutationBuilder splitCalculated(String sql, List<String> names) {
    if (sql == null || sql.isBlank()) {
      throw new IllegalArgumentException("splitCalculated needs an SQL expression");
    }
    SqlExpression.requireSingle(sql, "splitCalculated expression on table '" + base.name() + "'");
    return withSplit(
        CalculatedSplit.check(
            new TableBase(base), sql, names == null ? null : names(names, names.size())));
  }

  /** Row-level shuffle (LanceDB's {@code shuffle({seed})}). */
  public PermutationBuilder shuffle(long seed) {
    return shuffle(seed, 1);
  }

  /**
   * Row-level shuffle with a seed drawn from the operating system, as LanceDB does when no seed is
   * given.
   */
  public PermutationBuilder shuffle() {
    return shuffle(SmallRng.drawSeed(), 1);
  }

  /**
   * Clump-level shuffle: runs of {@code clumpSize} consecutive rows (of the split output, in order)
   * stay together. The shuffle reorders all rows at once; each split then lists its rows in the
   * order LanceDB's sort by split id leaves them (see the class docs).
   */
  public PermutationBuilder shuffle(long seed, int clumpSize) {
    requireClump(clumpSize);
    return new PermutationBuilder(base, filter, split, new ShuffleSpec(seed, clumpSize), maxRows);
  }

  /** Only rows matching this SQL filter enter the permutation (applied before splitting). */
  public PermutationBuilder filter(String sql) {
    if (sql == null || sql.isBlank()) {
      throw new IllegalArgumentException("filter needs an SQL expression");
    }
    return new PermutationBuilder(
        base,
        SqlExpression.requireSingle(sql, "filter on table '" + base.name() + "'"),
        split,
        shuffle,
        maxRows);
  }

  /**
   * The most rows this builder holds in memory (see class docs); more is refused with an exception.
   */
  public PermutationBuilder maxRows(long rows) {
    if (rows <= 0) {
      throw new IllegalArgumentException("maxRows must be > 0");
    }
    return new PermutationBuilder(base, filter, split, shuffle, rows);
  }

  /**
   * Builds the permutation table in memory ({@code memory://}). The returned table is owned by the
   * caller and closing it releases it.
   */
  public Table execute() {
    Connection conn =
        LanceDb.connect(
            "memory://lance-torch-permutation-" + java.util.UUID.randomUUID(),
            dev.lancetorch.ConnectOptions.builder().allocator(base.allocator()).build());
    try {
      Table t = persist(conn, "permutation");
      return t.closingConnection(conn);
    } catch (RuntimeException e) {
      conn.close();
      throw e;
    }
  }

  /**
   * Builds the permutation table and stores it as {@code name} in {@code connection}; the returned
   * table is owned by the caller.
   *
   * @throws IllegalArgumentException if a table of that name exists
   */
  public Table persist(Connection connection, String name) {
    if (connection.tableNames().contains(name)) {
      throw new IllegalArgumentException(
          "cannot persist permutation: table '" + name + "' already exists in " + connection.uri());
    }
    if (StreamingPermutationReader.canStream(
        new TableBase(base), filter, split, shuffle, maxRows)) {
      return write(
          new StreamingPermutationReader(base.allocator(), new TableBase(base), filter, split),
          connection,
          name);
    }
    if (shuffle != null
        && !(split instanceof SplitSpec.Random)
        && SplitAssigner.count(new TableBase(base), filter) > maxRows) {
      return write(
          new SpilledShuffleReader(
              base.allocator(), new TableBase(base), filter, split, shuffle, maxRows),
          connection,
          name);
    }
    PermutationPlan plan =
        PermutationPlan.build(new TableBase(base), filter, split, shuffle, maxRows);
    return write(
        new PermutationTableReader(base.allocator(), plan, base.version()), connection, name);
  }

  /** Writes {@code rows} as table {@code name} of {@code connection} (which owns the result). */
  private static Table write(PermutationRowsReader rows, Connection connection, String name) {
    try {
      return connection.createTable(name, rows, CreateMode.CREATE);
    } catch (RuntimeException e) {
      throw rows.writeFailure(e);
    }
  }

  /** Builds and reads back the splits directly (no table write). */
  public Permutations toPermutations() {
    PermutationPlan plan =
        PermutationPlan.build(new TableBase(base), filter, split, shuffle, maxRows);
    return Permutations.fromPlan(base, plan.splitNames(), plan.splits());
  }

  private PermutationBuilder withSplit(SplitSpec s) {
    return new PermutationBuilder(base, filter, s, shuffle, maxRows);
  }

  private static void requireClump(int clumpSize) {
    if (clumpSize <= 0) {
      throw new IllegalArgumentException("clump size must be > 0, got " + clumpSize);
    }
  }

  private static List<String> names(List<String> names, int numSplits) {
    if (names == null) {
      return null;
    }
    if (names.size() != numSplits) {
      throw new IllegalArgumentException(
          names.size() + " split names " + names + " for " + numSplits + " splits");
    }
    if (new HashSet<>(names).size() != names.size()) {
      throw new IllegalArgumentException("duplicate split names " + names);
    }
    for (String n : names) {
      if (n == null || n.isEmpty()) {
        throw new IllegalArgumentException("split names must be non-empty: " + names);
      }
    }
    return List.copyOf(names);
  }
}
