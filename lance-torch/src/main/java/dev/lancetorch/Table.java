package dev.lancetorch;

import dev.lancetorch.internal.arrow.NonClosingOutputStream;
import dev.lancetorch.internal.arrow.RootReader;
import dev.lancetorch.internal.arrow.RowsToArrow;
import dev.lancetorch.internal.arrow.Snapshot;
import dev.lancetorch.internal.arrow.SqlExpression;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Schema;
import org.lance.Dataset;
import org.lance.WriteParams;
import org.lance.ipc.LanceScanner;
import org.lance.ipc.ScanOptions;

/**
 * A table: one Lance dataset {@code <database>/<name>.lance}, seen through a current
 * <em>snapshot</em> (an open Lance handle at one version).
 *
 * <p><b>Versions.</b> A table opened with {@link Connection#openTable} or {@link #checkoutLatest()}
 * follows the latest version: its own writes ({@link #add}, {@link #overwrite}) move it to the
 * version they commit, and with {@link ConnectOptions#readConsistencyInterval()} it also picks up
 * versions committed elsewhere. {@link #checkoutVersion(long)} returns a <em>new</em>, read-only
 * table pinned at that version; the table it was called on is unchanged.
 *
 * <p><b>Threads.</b> Every method is safe to call from many threads at once. Each read ({@link
 * #countRows}, {@link #schema}, {@link #fragments}, takes, and every reader from {@link #query()})
 * works on the snapshot current when it started, from start to end, even if another thread appends
 * meanwhile; so one read never mixes two versions. Writes through one table are serialized. A
 * {@link Query} builder and the readers/roots handed out are single-threaded objects. {@link
 * #close()} may race with reads: reads that already started finish (the snapshot is
 * reference-counted), reads that start later throw {@link IllegalStateException}.
 *
 * <p><b>Native memory.</b> The table allocates from its connection's allocator and owns its
 * snapshot handles. Roots and readers it returns are owned by the caller (see each method). The
 * table is closed by {@link #close()} or when its connection closes; closing twice is safe.
 */
public final class Table implements AutoCloseable {
  private final Connection connection;
  private final String name;
  private final String uri;
  private final Long pinnedVersion;
  private volatile boolean ownsConnection;
  private final Object writeLock = new Object();
  private volatile Snapshot current;
  private volatile boolean closed;
  private volatile long lastConsistencyCheckNanos;

  /**
   * Tables from {@link #checkoutCurrent()}: they share a snapshot of this table and close with it.
   */
  private final java.util.Set<Table> views = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The table this one is a {@link #checkoutCurrent()} view of, or null. */
  private volatile Table viewOf;

  Table(
      Connection connection,
      String name,
      Dataset dataset,
      Long pinnedVersion,
      boolean ownsConnection) {
    this(
        connection,
        name,
        dataset.uri(),
        new Snapshot(dataset, connection.snapshotOpened()),
        pinnedVersion,
        ownsConnection);
  }

  /** Takes over one reference to {@code snapshot}. */
  private Table(
      Connection connection,
      String name,
      String uri,
      Snapshot snapshot,
      Long pinnedVersion,
      boolean ownsConnection) {
    this.connection = connection;
    this.name = name;
    this.uri = uri;
    this.pinnedVersion = pinnedVersion;
    this.ownsConnection = ownsConnection;
    this.current = snapshot;
    this.lastConsistencyCheckNanos = System.nanoTime();
  }

  /**
   * @return the table name
   */
  public String name() {
    checkOpen();
    return name;
  }

  /**
   * @return the Lance dataset uri ({@code <database dir>/<name>.lance})
   */
  public String uri() {
    checkOpen();
    return uri;
  }

  /**
   * @return the Arrow schema of the current snapshot (plain Java object, no native memory)
   */
  public Schema schema() {
    try (Snapshot.Lease l = lease()) {
      return l.snapshot().dataset.getSchema();
    }
  }

  /**
   * The allocator this table's reads allocate from (its connection's). <b>Borrowed</b>: do not
   * close it.
   *
   * @return the connection's allocator
   */
  public BufferAllocator allocator() {
    checkOpen();
    return connection.allocator();
  }

  /**
   * Hands {@code owner} (this table's own connection) to the table: closing the table then closes
   * the connection too. For code that opens a connection only to return one table from it
   * (permutation tables in memory, worker handles opened through a {@link ConnectionFactory}).
   *
   * @param owner the connection this table was opened from; ownership is <b>transferred</b> to the
   *     table
   * @return this table
   * @throws IllegalArgumentException if {@code owner} is not this table's connection
   */
  public Table closingConnection(Connection owner) {
    checkOpen();
    if (owner != connection) {
      throw new IllegalArgumentException(
          "table '" + name + "' was not opened from connection " + owner.uri());
    }
    ownsConnection = true;
    return this;
  }

  /**
   * @return the version of the current snapshot
   */
  public long version() {
    try (Snapshot.Lease l = lease()) {
      return l.snapshot().version;
    }
  }

  /**
   * @return whether this table is pinned to a version by {@link #checkoutVersion} (read-only)
   */
  public boolean isPinned() {
    checkOpen();
    return pinnedVersion != null;
  }

  /**
   * The blobs of a Lance blob column at these row offsets (0-based positions in the current
   * snapshot), opened lazily: see {@link Blobs}. The caller owns the result.
   *
   * @throws IllegalArgumentException when the column is missing or not a blob column, or an offset
   *     is out of range
   */
  public Blobs blobs(String column, long[] offsets) {
    Snapshot.Lease l = lease();
    try {
      List<Long> idx = java.util.Arrays.stream(offsets).boxed().toList();
      return new Blobs(column, offsets, l, l.snapshot().dataset.takeBlobsByIndices(idx, column));
    } catch (RuntimeException e) {
      l.close();
      throw new IllegalArgumentException(
          "column '"
              + column
              + "' of table '"
              + name
              + "': cannot open blobs at "
              + offsets.length
              + " offsets (is it a blob column, lance-encoding:blob?): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * @return the number of rows of the current snapshot
   */
  public long countRows() {
    try (Snapshot.Lease l = lease()) {
      return l.snapshot().rowCount();
    }
  }

  /**
   * @param sqlFilter a SQL predicate, e.g. {@code "id > 10 AND label = 'cat'"}
   * @return the number of rows of the current snapshot matching it
   * @throws IllegalArgumentException if the filter does not parse, is not one expression ({@link
   *     SqlExpression}) or names a missing column
   */
  public long countRows(String sqlFilter) {
    if (sqlFilter == null || sqlFilter.isBlank()) {
      return countRows();
    }
    SqlExpression.requireSingle(sqlFilter, "filter on table '" + name + "' (" + uri + ")");
    try (Snapshot.Lease l = lease()) {
      try {
        return l.snapshot().dataset.countRows(sqlFilter);
      } catch (RuntimeException e) {
        // lance-core raises an IllegalArgumentException for a bad filter, and an
        // IllegalArgumentException or RuntimeException for data it cannot decode: the filter is to
        // blame only if a scan with it cannot be planned either
        if (!plans(l.snapshot(), sqlFilter)) {
          throw badFilter(sqlFilter, e);
        }
        throw new LanceIoException(
            "counting rows (filter '"
                + sqlFilter
                + "') of table '"
                + name
                + "' in "
                + uri
                + " failed reading its data: "
                + e.getMessage(),
            name,
            uri,
            e);
      } catch (Exception e) { // storage errors arrive as an undeclared IOException
        throw LanceErrors.classify("counting rows (filter '" + sqlFilter + "') of", name, uri, e);
      }
    }
  }

  /** Whether Lance plans a scan of {@code snap} with {@code filter} (reading no rows). */
  private boolean plans(Snapshot snap, String filter) {
    ScanOptions o = new ScanOptions.Builder().filter(filter).limit(0L).withRowId(true).build();
    try (LanceScanner s = LanceScanner.create(snap.dataset, o, connection.allocatorUnchecked());
        ArrowReader r = s.scanBatches()) {
      return r.getVectorSchemaRoot() != null;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * Appends rows and moves this table to the committed version.
   *
   * @param data rows with the table's schema; ownership <b>transferred</b> (consumed and closed)
   * @throws IllegalArgumentException if the schema does not match
   * @throws IllegalStateException if the table is pinned or closed
   */
  public void add(ArrowReader data) {
    write(data, WriteParams.WriteMode.APPEND);
  }

  /**
   * @param data rows with the table's schema; <b>borrowed</b> (caller keeps and closes it)
   * @see #add(ArrowReader)
   */
  public void add(VectorSchemaRoot data) {
    checkOpen();
    add(new RootReader(connection.allocatorUnchecked(), data));
  }

  /**
   * Appends rows given as maps; the schema is inferred as in {@link Connection#createTable(String,
   * List, CreateMode)} and must match the table's, except that a number column the table declares
   * wider than the values' own type is written in the table's type (Integer values into an int64
   * column, Float into float64).
   *
   * @param rows at least one row
   */
  public void add(List<Map<String, Object>> rows) {
    checkOpen();
    Schema target = schema();
    try (VectorSchemaRoot root =
        RowsToArrow.toRoot(rows, connection.allocatorUnchecked(), target)) {
      add(RowsToArrow.inColumnOrderOf(target, root));
    }
  }

  /**
   * Replaces the table's data (a new version; old versions stay readable via {@link
   * #checkoutVersion}). The schema may differ from the old one.
   *
   * @param data the new rows; ownership <b>transferred</b> (consumed and closed)
   */
  public void overwrite(ArrowReader data) {
    write(data, WriteParams.WriteMode.OVERWRITE);
  }

  /**
   * @param data the new rows; <b>borrowed</b>
   * @see #overwrite(ArrowReader)
   */
  public void overwrite(VectorSchemaRoot data) {
    checkOpen();
    overwrite(new RootReader(connection.allocatorUnchecked(), data));
  }

  /**
   * @param rows the new rows, schema inferred
   * @see #overwrite(ArrowReader)
   */
  public void overwrite(List<Map<String, Object>> rows) {
    checkOpen();
    try (VectorSchemaRoot root = RowsToArrow.toRoot(rows, connection.allocatorUnchecked())) {
      overwrite(root);
    }
  }

  private void write(ArrowReader data, WriteParams.WriteMode mode) {
    try (ArrowReader owned = data) {
      checkOpen();
      if (pinnedVersion != null) {
        throw new IllegalStateException(
            "table '"
                + name
                + "' ("
                + uri
                + ") is pinned at version "
                + pinnedVersion
                + " and read-only; use checkoutLatest() to write");
      }
      if (data == null) {
        throw new IllegalArgumentException("data must not be null (table '" + name + "')");
      }
      synchronized (writeLock) {
        checkOpen();
        if (mode == WriteParams.WriteMode.APPEND) {
          SchemaCompat.requireAppendable(
              this, current.dataset.getSchema(), owned.getVectorSchemaRoot().getSchema());
        }
        Dataset written = connection.write(name, owned, mode);
        swap(written);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the data for table '" + name + "' failed", e);
    }
  }

  /** Must hold writeLock. Makes {@code next} current and drops the table's reference to the old. */
  private void swap(Dataset next) {
    Snapshot old = current;
    current = new Snapshot(next, connection.snapshotOpened());
    lastConsistencyCheckNanos = System.nanoTime();
    old.release();
  }

  /**
   * Opens this table at an older (or any existing) version.
   *
   * @param version a committed version number
   * @return a NEW read-only table pinned at {@code version} (caller closes; also closed with the
   *     connection); this table is unchanged
   * @throws IllegalArgumentException if the version does not exist
   */
  public Table checkoutVersion(long version) {
    checkOpen();
    connection.checkOpen();
    return connection.register(
        new Table(connection, name, connection.openDataset(name, version), version, false));
  }

  /**
   * Pins the version this table reads now, without reopening anything: the new table shares this
   * table's open snapshot, so it costs no I/O. Reads through it use that version whatever this
   * table does later (its own writes, a {@link ConnectOptions#readConsistencyInterval()} refresh);
   * permutations read their base table this way.
   *
   * @return a NEW read-only table pinned at the current version; owned by the caller, and closed
   *     also when this table or the connection closes
   */
  public Table checkoutCurrent() {
    try (Snapshot.Lease l = lease()) {
      Snapshot s = l.snapshot();
      if (!s.retain()) {
        throw new IllegalStateException("table '" + name + "' (" + uri + ") is closed");
      }
      Table view = new Table(connection, name, uri, s, s.version, false);
      try {
        connection.register(view);
        view.viewOf = this;
        views.add(view);
        if (closed) { // closed meanwhile: the view must not outlive it
          view.close();
          checkOpen();
        }
        return view;
      } catch (RuntimeException | Error e) {
        view.close();
        throw e;
      }
    }
  }

  /**
   * @return a NEW table following the latest version (caller closes); this table is unchanged
   */
  public Table checkoutLatest() {
    checkOpen();
    connection.checkOpen();
    return connection.register(
        new Table(connection, name, connection.openDataset(name, null), null, false));
  }

  /**
   * @return a new query builder over this table (the snapshot is taken when the reader opens)
   */
  public Query query() {
    checkOpen();
    return new Query(this);
  }

  /**
   * Rows at the given positions (0-based, in storage order of the current snapshot).
   *
   * @param offsets positions, any order, duplicates allowed
   * @param columns columns to return, or null for all
   * @return a new root with {@code offsets.length} rows in the order asked, allocated from the
   *     connection's allocator; <b>owned by the caller</b>, who closes it
   * @throws IndexOutOfBoundsException if an offset is negative or not below {@link #countRows()}
   */
  public VectorSchemaRoot takeOffsets(long[] offsets, List<String> columns) {
    return takeOffsets(offsets, columns, connection.allocatorUnchecked());
  }

  /**
   * @param offsets positions, any order, duplicates allowed
   * @param columns columns to return, or null for all
   * @param allocator allocator for the result (borrowed)
   * @return a new root owned by the caller, rows in the order asked
   * @see #takeOffsets(long[], List)
   */
  public VectorSchemaRoot takeOffsets(
      long[] offsets, List<String> columns, BufferAllocator allocator) {
    return take(offsets, columns, allocator, false);
  }

  /**
   * Rows by row id (without stable row ids, the row address {@code fragmentId << 32 | row}; as
   * returned by {@code withRowId(true)} scans).
   *
   * @param rowIds row ids, any order, duplicates allowed
   * @param columns columns to return, or null for all
   * @return a new root with rows in the order asked; <b>owned by the caller</b>
   * @throws IndexOutOfBoundsException if a row id does not exist in the current snapshot
   */
  public VectorSchemaRoot takeRowIds(long[] rowIds, List<String> columns) {
    return takeRowIds(rowIds, columns, connection.allocatorUnchecked());
  }

  /**
   * @param rowIds row ids, any order, duplicates allowed
   * @param columns columns to return, or null for all
   * @param allocator allocator for the result (borrowed)
   * @return a new root owned by the caller, rows in the order asked
   * @see #takeRowIds(long[], List)
   */
  public VectorSchemaRoot takeRowIds(
      long[] rowIds, List<String> columns, BufferAllocator allocator) {
    return take(rowIds, columns, allocator, true);
  }

  private VectorSchemaRoot take(
      long[] request, List<String> columns, BufferAllocator allocator, boolean rowIds) {
    try (Snapshot.Lease l = lease()) {
      if (columns != null) {
        TakeSupport.project(this, l.snapshot().dataset.getSchema(), columns);
      }
      return TakeSupport.take(this, l.snapshot(), request, columns, allocator, rowIds);
    }
  }

  /**
   * @return the fragments of the current snapshot in storage order (plain data)
   */
  public List<FragmentInfo> fragments() {
    try (Snapshot.Lease l = lease()) {
      return l.snapshot().fragments().stream()
          .map(f -> new FragmentInfo(f.id(), f.numRows(), f.physicalRows(), f.files()))
          .toList();
    }
  }

  /**
   * Writes all rows of the current snapshot as an Arrow IPC stream, e.g. to move a {@code
   * memory://} table to another JVM, which reads it with {@link
   * Connection#createTableFromArrowIpc}.
   *
   * @param out destination; borrowed, flushed but not closed
   * @return the number of rows written
   */
  public long toArrowIpc(OutputStream out) {
    long rows = 0;
    try (ArrowReader reader = query().toArrowReader();
        ArrowStreamWriter writer =
            new ArrowStreamWriter(
                reader.getVectorSchemaRoot(),
                null,
                Channels.newChannel(new NonClosingOutputStream(out)))) {
      writer.start();
      while (reader.loadNextBatch()) {
        writer.writeBatch();
        rows += reader.getVectorSchemaRoot().getRowCount();
      }
      writer.end();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "writing table '" + name + "' (" + uri + ") as Arrow IPC failed", e);
    }
    return rows;
  }

  /**
   * @return a serializable reference to this table at its current version, to reopen it (in this
   *     JVM for memory://, anywhere that sees the same path for local databases)
   */
  public TableRef reopenState() {
    checkOpen();
    ConnectOptions o = connection.options();
    return new TableRef(
        connection.uri(),
        name,
        o.storageOptions(),
        version(),
        o.readConsistencyInterval(),
        o.remoteProperties());
  }

  /**
   * Runs a SQL query over the current snapshot with Lance's DataFusion SQL ({@code Dataset.sql}).
   * The table is called {@code t}; the {@code _rowaddr} column is available.
   *
   * @param query e.g. {@code "SELECT _rowaddr, label FROM t WHERE id > 10"}
   * @return a reader <b>owned by the caller</b>, who closes it; allocated from the connection's
   *     allocator, it holds the snapshot it reads (like every other read) until closed, so a
   *     concurrent write or refresh of this table cannot close the dataset under it
   * @throws IllegalArgumentException if Lance rejects the query (the message has the query)
   * @throws LanceIoException if storage fails (a corrupted or missing file), here or while reading
   */
  public ArrowReader sql(String query) {
    Snapshot.Lease lease = lease();
    try {
      ArrowReader inner;
      try {
        inner =
            lease.snapshot().dataset.sql(query).tableName("t").withRowAddr(true).intoBatchRecords();
      } catch (Exception e) { // Lance throws an undeclared IOException on storage errors
        if (e instanceof IOException || e instanceof UncheckedIOException) {
          throw LanceErrors.classify("running SQL (query: " + query + ") on", name, uri, e);
        }
        throw new IllegalArgumentException(
            "SQL on table '"
                + name
                + "' ("
                + uri
                + ") failed: "
                + e.getMessage()
                + " (query: "
                + query
                + ")",
            e);
      }
      return new ScanReader(connection.allocatorUnchecked(), inner, null, lease, name, uri);
    } catch (RuntimeException | Error e) {
      lease.close();
      throw e;
    }
  }

  /**
   * The Lance dataset of the current snapshot, unprotected: valid until this table closes or moves
   * to another version. Package-private on purpose (issue 12): every read outside this package goes
   * through a method that leases the snapshot.
   */
  Dataset dataset() {
    checkOpen();
    return current.dataset;
  }

  /**
   * Closes the table: drops its snapshot (closed once running reads and open readers end) and, for
   * tables from {@link TableRef#open()}, closes the private connection. Idempotent.
   */
  @Override
  public void close() {
    synchronized (writeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      for (Table v : views) {
        v.close();
      }
      current.release();
    } finally {
      Table parent = viewOf;
      if (parent != null) {
        parent.views.remove(this);
      }
      connection.unregister(this);
      if (ownsConnection) {
        connection.close();
      }
    }
  }

  // ---- package-private ----

  String nameUnchecked() {
    return name;
  }

  String uriUnchecked() {
    return uri;
  }

  Connection connection() {
    return connection;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("table '" + name + "' (" + uri + ") is closed");
    }
  }

  /** Retains the current snapshot, first refreshing it if the consistency interval says so. */
  Snapshot.Lease lease() {
    maybeRefresh();
    while (true) {
      checkOpen();
      Snapshot s = current;
      if (s.retain()) {
        return s.new Lease();
      }
    }
  }

  private void maybeRefresh() {
    Duration interval = connection.options().readConsistencyInterval();
    if (interval == null || pinnedVersion != null) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastConsistencyCheckNanos < interval.toNanos()) {
      return;
    }
    synchronized (writeLock) {
      checkOpen();
      if (System.nanoTime() - lastConsistencyCheckNanos < interval.toNanos()
          && !interval.isZero()) {
        return;
      }
      lastConsistencyCheckNanos = System.nanoTime();
      if (current.dataset.latestVersion() > current.version) {
        swap(connection.openDataset(name, null));
      }
    }
  }

  IllegalArgumentException badFilter(String filter, RuntimeException cause) {
    return new IllegalArgumentException(
        "invalid filter '"
            + filter
            + "' on table '"
            + name
            + "' ("
            + uri
            + "): "
            + cause.getMessage(),
        cause);
  }
}
