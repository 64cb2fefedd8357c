package dev.lancetorch;

import dev.lancetorch.internal.arrow.CheckedReader;
import dev.lancetorch.internal.arrow.NonClosingInputStream;
import dev.lancetorch.internal.arrow.RootReader;
import dev.lancetorch.internal.arrow.RowsToArrow;
import dev.lancetorch.internal.arrow.WriteChecks;
import dev.lancetorch.internal.storage.NamespaceStore;
import dev.lancetorch.internal.storage.StoreErrors;
import dev.lancetorch.internal.storage.StoreOptions;
import dev.lancetorch.internal.storage.TableNames;
import dev.lancetorch.internal.storage.TableStore;
import dev.lancetorch.internal.storage.TableStores;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.lance.Dataset;
import org.lance.OpenDatasetBuilder;
import org.lance.ReadOptions;
import org.lance.Session;
import org.lance.WriteParams;
import org.slf4j.LoggerFactory;

/**
 * An open LanceDB-layout database: a directory (local, {@code memory://}, or an object-store prefix
 * such as {@code s3://bucket/db}) whose {@code <name>.lance} children are Lance datasets (tables),
 * or a {@code db://} database behind a Lance namespace REST server (tables listed, opened, written
 * and dropped through the namespace; see {@code docs/remote.md}).
 *
 * <p><b>Native memory.</b> The connection owns one allocator ({@link #allocator()}): a child of the
 * allocator in {@link ConnectOptions} or, without one, its own {@link RootAllocator}. All tables
 * opened through the connection allocate from it. It also owns a Lance {@link Session} unless one
 * was passed in (then borrowed). {@link #close()} closes every table opened through this
 * connection, then — at once, or when the last read still holding one of their snapshots ends — the
 * owned session and the allocator. Close every root you obtained (takes, {@code ARROW} batches)
 * first, or closing the allocator reports the leak with an {@link IllegalStateException}.
 *
 * <p><b>Threads.</b> All methods may be called concurrently. {@link #close()} is idempotent; any
 * other call after it throws {@link IllegalStateException}.
 */
public final class Connection implements AutoCloseable {
  private final TableStore store;
  private final ConnectOptions options;
  private final BufferAllocator allocator;
  private final Session session;
  private final boolean ownsSession;
  private final Set<Table> tables = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** Snapshots (open Lance dataset handles) of this connection's tables not yet closed. */
  private final AtomicInteger openSnapshots = new AtomicInteger();

  /** Set once {@link #close()} has closed the tables: from then on the last snapshot releases. */
  private volatile boolean tablesClosed;

  /** Set by whoever releases the session, store and allocator (once). */
  private final AtomicBoolean released = new AtomicBoolean();

  /** The exceptions a namespace store throws: this package's. */
  private static final StoreErrors STORE_ERRORS =
      new StoreErrors() {
        @Override
        public RuntimeException tableNotFound(String message, Throwable cause) {
          return new TableNotFoundException(message, cause);
        }

        @Override
        public RuntimeException remote(
            String message, String endpoint, String status, Throwable cause) {
          return new RemoteDatabaseException(message, endpoint, status, cause);
        }

        @Override
        public boolean isTableNotFound(RuntimeException e) {
          return e instanceof TableNotFoundException;
        }

        @Override
        public boolean isTranslated(RuntimeException e) {
          return e instanceof TableNotFoundException || e instanceof RemoteDatabaseException;
        }
      };

  Connection(String uri, ConnectOptions options) {
    this.options = options;
    BufferAllocator alloc = null;
    Session owned = null;
    try {
      alloc =
          options.allocator() != null
              ? options.allocator().newChildAllocator("lancetorch:" + uri, 0, Long.MAX_VALUE)
              : new RootAllocator();
      this.allocator = alloc;
      this.ownsSession = options.session() == null;
      owned = ownsSession ? Session.builder().build() : null;
      this.session = ownsSession ? owned : options.session();
      this.store =
          TableStores.open(
              uri,
              new StoreOptions(
                  options.hostOverride(),
                  options.region(),
                  options.headers(),
                  options.apiKey(),
                  options.storageOptions(),
                  options.requestTimeout()),
              STORE_ERRORS,
              alloc);
    } catch (RuntimeException | Error e) {
      if (owned != null) {
        owned.close();
      }
      if (alloc != null) {
        alloc.close();
      }
      throw e;
    }
  }

  /**
   * @return the normalized database uri (absolute path for local databases, memory://name,
   *     s3://bucket/prefix, db://name)
   */
  public String uri() {
    checkOpen();
    return store.uri();
  }

  /**
   * @return the connection's allocator; owned by the connection, do not close it
   */
  public BufferAllocator allocator() {
    checkOpen();
    return allocator;
  }

  /**
   * @return names of the tables, sorted (directories {@code <name>.lance}, or the namespace's
   *     listing)
   */
  public List<String> tableNames() {
    checkOpen();
    return store.tableNames();
  }

  /**
   * Creates a table in {@link CreateMode#CREATE} mode.
   *
   * @param name table name
   * @param data the rows; ownership is <b>transferred</b>: the reader is consumed and closed
   * @return the open table (caller closes; also closed by {@link #close()})
   */
  public Table createTable(String name, ArrowReader data) {
    return createTable(name, data, CreateMode.CREATE);
  }

  /**
   * Creates (or overwrites, or opens) a table from a stream of batches.
   *
   * @param name table name
   * @param data the rows; ownership is <b>transferred</b>: the reader is consumed and closed on
   *     every path, errors included
   * @param mode what to do if the table exists
   * @return the open table (caller closes; also closed by {@link #close()})
   * @throws TableAlreadyExistsException in CREATE mode when the table exists
   * @throws LanceIoException when storage fails (full disk, read-only directory...); a table that
   *     did not exist before is then not left behind half-written
   */
  public Table createTable(String name, ArrowReader data, CreateMode mode) {
    try (ArrowReader owned = data) {
      checkOpen();
      TableNames.validate(name);
      if (data == null || mode == null) {
        throw new IllegalArgumentException("data and mode must not be null (table '" + name + "')");
      }
      boolean exists = exists(name);
      if (exists && mode == CreateMode.CREATE) {
        throw new TableAlreadyExistsException(
            "table '" + name + "' already exists in " + store.where());
      }
      if (exists && mode == CreateMode.EXIST_OK) {
        return openTable(name);
      }
      WriteParams.WriteMode writeMode =
          exists ? WriteParams.WriteMode.OVERWRITE : WriteParams.WriteMode.CREATE;
      Dataset ds;
      try {
        ds = write(name, owned, writeMode);
      } catch (RuntimeException e) {
        if (!exists) {
          store.removeFailedCreate(name); // no half-written <name>.lance left behind
        }
        throw e;
      }
      return register(new Table(this, name, ds, null, false));
    } catch (IOException e) {
      throw new UncheckedIOException("closing the data reader for table '" + name + "' failed", e);
    }
  }

  /**
   * Creates a table from a root.
   *
   * @param name table name
   * @param data the rows; <b>borrowed</b>: the caller keeps ownership and closes it
   * @param mode what to do if the table exists
   * @return the open table
   */
  public Table createTable(String name, VectorSchemaRoot data, CreateMode mode) {
    checkOpen();
    return createTable(name, new RootReader(allocator, data), mode);
  }

  /**
   * Creates a table in CREATE mode from a borrowed root (see {@link #createTable(String,
   * VectorSchemaRoot, CreateMode)}).
   *
   * @param name table name
   * @param data the rows (borrowed)
   * @return the open table
   */
  public Table createTable(String name, VectorSchemaRoot data) {
    return createTable(name, data, CreateMode.CREATE);
  }

  /**
   * Creates a table from rows given as maps, inferring the schema (the rules, also in {@code
   * docs/formats.md}): each boxed Java type keeps its own width — Byte → int8, Short → int16,
   * Integer → int32, Long → int64, Float → float32, Double → float64 (a column mixing widths of one
   * family takes the widest, e.g. Integer and Long → int64; integers and floats never mix) —,
   * Boolean → bool, String → utf8, byte[] → binary, float[] → fixed_size_list&lt;float32, n&gt;
   * (all non-null arrays of a column have the same length n ≥ 1), java.util.List → list of the
   * element type inferred by the same rules. Columns are ordered by first appearance; every column
   * is nullable; a missing key or a null value is a null. Rejected with {@link
   * IllegalArgumentException} naming the column: a null or empty column name, a column whose values
   * are all null (or only empty lists), values of different types, a zero-length float[], a list of
   * float[] (takes cannot copy such rows back). The Arrow data is built in the connection's
   * allocator and released before returning.
   *
   * @param name table name
   * @param rows at least one row
   * @param mode what to do if the table exists
   * @return the open table
   */
  public Table createTable(String name, List<Map<String, Object>> rows, CreateMode mode) {
    checkOpen();
    TableNames.validate(name);
    try (VectorSchemaRoot root = RowsToArrow.toRoot(rows, allocator)) {
      return createTable(name, root, mode);
    }
  }

  /**
   * CREATE-mode variant of {@link #createTable(String, List, CreateMode)}.
   *
   * @param name table name
   * @param rows at least one row
   * @return the open table
   */
  public Table createTable(String name, List<Map<String, Object>> rows) {
    return createTable(name, rows, CreateMode.CREATE);
  }

  /**
   * Creates a table from an Arrow IPC <em>stream</em> (as written by {@link
   * Table#toArrowIpc(java.io.OutputStream)}), e.g. to hand a {@code memory://} table to another
   * JVM.
   *
   * @param name table name
   * @param ipcStream Arrow IPC stream format; borrowed, read to the end but not closed
   * @param mode what to do if the table exists
   * @return the open table
   */
  public Table createTableFromArrowIpc(String name, InputStream ipcStream, CreateMode mode) {
    checkOpen();
    TableNames.validate(name);
    return createTable(
        name, new ArrowStreamReader(new NonClosingInputStream(ipcStream), allocator), mode);
  }

  /**
   * Creates an empty table with the given schema.
   *
   * @param name table name
   * @param schema the schema
   * @return the open table
   * @throws TableAlreadyExistsException when the table exists
   */
  public Table createEmptyTable(String name, Schema schema) {
    checkOpen();
    TableNames.validate(name);
    if (schema == null) {
      throw new IllegalArgumentException("schema must not be null (table '" + name + "')");
    }
    WriteChecks.requireWritable(schema, name);
    if (exists(name)) {
      throw new TableAlreadyExistsException(
          "table '" + name + "' already exists in " + store.where());
    }
    long version;
    try (Dataset created =
        store
            .target(Dataset.write(), name)
            .allocator(allocator)
            .schema(schema)
            .mode(WriteParams.WriteMode.CREATE)
            .storageOptions(options.storageOptions())
            .execute()) {
      version = created.version();
    }
    return register(new Table(this, name, openDataset(name, version), null, false));
  }

  /**
   * Opens the latest version of a table.
   *
   * @param name table name
   * @return the open table (caller closes; also closed by {@link #close()})
   * @throws TableNotFoundException when it does not exist
   */
  public Table openTable(String name) {
    checkOpen();
    TableNames.validate(name);
    return register(new Table(this, name, openDataset(name, null), null, false));
  }

  /**
   * Deletes a table and its data. Tables already open on it keep their handles but later reads of
   * deleted files fail.
   *
   * @param name table name
   * @throws TableNotFoundException when it does not exist
   * @throws LanceIoException when storage fails (e.g. a read-only filesystem)
   */
  public void dropTable(String name) {
    checkOpen();
    TableNames.validate(name);
    if (!exists(name)) {
      throw new TableNotFoundException("table '" + name + "' not found in " + store.where(), null);
    }
    try {
      store.drop(name, options.storageOptions());
    } catch (Exception e) { // Lance throws an undeclared IOException on storage errors
      throw LanceErrors.classify("dropping", name, store.where(), e);
    }
  }

  /**
   * Closes every table opened through this connection, then the owned session, this connection's
   * share of a memory:// database and the connection's allocator. Reads in flight on other threads
   * finish first: while a read (a scan reader, an iterator, a take) still holds a snapshot of one
   * of the tables, those are released when it ends, instead of now — so closing never fails a read
   * that already started, and an iterator left with {@code break} (released by its cleaner, after a
   * GC) does not make this report a leak. Released now, the allocator throws {@link
   * IllegalStateException} if Arrow memory from it is still held (a root the caller did not close);
   * released later, that report is logged as a WARNING on {@code dev.lancetorch}. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      for (Table t : new ArrayList<>(tables)) {
        t.close();
      }
    } finally {
      tablesClosed = true;
      if (openSnapshots.get() == 0) {
        release(true);
      }
    }
  }

  /** A snapshot of one of this connection's tables opened; the result runs when it closes. */
  Runnable snapshotOpened() {
    openSnapshots.incrementAndGet();
    return () -> {
      if (openSnapshots.decrementAndGet() == 0 && tablesClosed) {
        release(false);
      }
    };
  }

  /** Releases the session, store and allocator, once: the first caller after the last read. */
  private void release(boolean report) {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    try {
      if (ownsSession) {
        session.close();
      }
    } finally {
      try {
        store.close();
      } finally {
        try {
          allocator.close();
        } catch (IllegalStateException leak) {
          if (report) {
            throw leak;
          }
          LoggerFactory.getLogger("dev.lancetorch")
              .warn(
                  "connection to "
                      + store.uri()
                      + " closed after its last read ended, with Arrow memory still held",
                  leak);
        }
      }
    }
  }

  // ---- package-private plumbing used by Table / TableRef ----

  ConnectOptions options() {
    return options;
  }

  TableStore store() {
    return store;
  }

  BufferAllocator allocatorUnchecked() {
    return allocator;
  }

  boolean isClosed() {
    return closed;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("connection to " + store.uri() + " is closed");
    }
  }

  boolean exists(String name) {
    return store.exists(name);
  }

  Table register(Table t) {
    tables.add(t);
    if (closed) {
      tables.remove(t);
      t.close();
      throw new IllegalStateException("connection to " + store.uri() + " is closed");
    }
    return t;
  }

  void unregister(Table t) {
    tables.remove(t);
  }

  /** Opens table {@code name} at {@code version} (null: latest); wraps "missing" errors. */
  Dataset openDataset(String name, Long version) {
    if (!exists(name)) {
      throw new TableNotFoundException("table '" + name + "' not found in " + store.where(), null);
    }
    ReadOptions.Builder ro =
        new ReadOptions.Builder().setStorageOptions(options.storageOptions()).setSession(session);
    if (version != null) {
      ro.setVersion(version);
    }
    try {
      OpenDatasetBuilder b =
          store
              .target(Dataset.open(), name)
              .allocator(allocator)
              .readOptions(ro.build())
              .session(session);
      return store instanceof NamespaceStore ns ? ns.open(b, name) : b.build();
    } catch (TableNotFoundException | RemoteDatabaseException e) {
      throw e;
    } catch (
        Exception e) { // Lance throws an undeclared IOException on storage errors (e.g. a corrupted
      // manifest)
      RuntimeException remote =
          store instanceof NamespaceStore ns && e instanceof RuntimeException re
              ? ns.translate("opening table '" + name + "'", name, re)
              : null;
      if (remote != null) {
        throw remote;
      }
      RuntimeException c =
          LanceErrors.classify(
              version == null ? "opening" : "opening version " + version + " of",
              name,
              store.uri(),
              e);
      if (version != null
          && c instanceof TableNotFoundException) { // the table exists, the version does not
        throw new IllegalArgumentException(
            "cannot open version "
                + version
                + " of table '"
                + name
                + "' in "
                + store.uri()
                + ": "
                + e.getMessage(),
            e);
      }
      throw c;
    }
  }

  /**
   * Writes {@code data} (not closed here) to {@code uri}; returns the committed version, reopened
   * through the connection's session (the SDK's write path does not attach the session to the
   * dataset it returns, so reads would otherwise not share the session's caches).
   */
  Dataset write(String name, ArrowReader data, WriteParams.WriteMode mode) {
    long version;
    try (Dataset written = writeUnshared(name, data, mode)) {
      version = written.version();
    }
    return openDataset(name, version);
  }

  /**
   * The allocator to export {@code data} with: Arrow's C export retains each buffer in the
   * exporting allocator, which must share the buffers' root, so data from another connection
   * (another root allocator) is exported with its own allocator. Only the export uses it; the
   * written dataset is reopened with this connection's.
   */
  private BufferAllocator exportAllocator(ArrowReader data) throws IOException {
    for (FieldVector v : data.getVectorSchemaRoot().getFieldVectors()) {
      if (v.getAllocator().getRoot() != allocator.getRoot()) {
        return v.getAllocator();
      }
    }
    return allocator;
  }

  /**
   * Writes {@code data} (not closed here) after {@link WriteChecks}: a schema or a batch Lance
   * would abort the JVM on is refused with an {@link IllegalArgumentException} before Lance sees it
   * (the batch check runs as Lance pulls each batch). When the data fails (refused, or its reader
   * throws), that exception is thrown as it was, not Lance's report of the failed stream: a storage
   * fault of the table read names that table.
   */
  private Dataset writeUnshared(String name, ArrowReader data, WriteParams.WriteMode mode) {
    CheckedReader checked;
    try {
      checked = new CheckedReader(allocator, data, name);
    } catch (IOException e) {
      throw LanceErrors.classify("reading the data for", name, store.uri(), e);
    }
    try {
      return store
          .target(Dataset.write(), name)
          .allocator(exportAllocator(data))
          .reader(checked)
          .mode(mode)
          .storageOptions(options.storageOptions())
          .execute();
    } catch (Exception e) { // Lance throws an undeclared IOException on storage errors
      Exception source = checked.failure(); // the data was refused, or its reader failed
      if (source instanceof RuntimeException refused) {
        refused.addSuppressed(e);
        throw refused;
      }
      if (source != null) {
        e = source;
      }
      RuntimeException remote =
          store instanceof NamespaceStore ns && e instanceof RuntimeException re
              ? ns.translate("writing table '" + name + "'", name, re)
              : null;
      if (remote instanceof RemoteDatabaseException) {
        throw remote;
      }
      throw LanceErrors.classify("writing (" + mode + ")", name, store.uri(), e);
    }
  }
}
