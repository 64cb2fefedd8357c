package dev.lancetorch.internal.storage;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.lance.Dataset;
import org.lance.OpenDatasetBuilder;
import org.lance.WriteDatasetBuilder;
import org.lance.namespace.DirectoryNamespace;
import org.lance.namespace.LanceNamespace;
import org.lance.namespace.RestNamespace;
import org.lance.namespace.errors.LanceNamespaceException;
import org.lance.namespace.model.DropTableRequest;
import org.lance.namespace.model.ListTablesRequest;
import org.lance.namespace.model.ListTablesResponse;
import org.lance.namespace.model.TableExistsRequest;

/**
 * Tables behind a Lance namespace.
 *
 * <ul>
 *   <li>{@code db://name}: lance-core's {@link RestNamespace} client (Lance namespace REST
 *       protocol) at {@code https://name.region.api.lancedb.com} or {@code
 *       ConnectOptions.hostOverride()}, sending {@code x-api-key} and {@code x-lancedb-database}.
 *       Tables are opened and written <em>through</em> the namespace (the server says where the
 *       table lives; the client then reads the Lance files there itself).
 *   <li>{@code s3://bucket/prefix}: a {@link DirectoryNamespace} rooted there (with the
 *       connection's storage options) lists, checks and drops tables; datasets are opened and
 *       written directly at {@code s3://bucket/prefix/<name>.lance} with the same storage options,
 *       the LanceDB directory layout.
 * </ul>
 *
 * Namespace calls (and opens through the REST namespace) run on a daemon thread and are bounded by
 * {@code ConnectOptions.requestTimeout()}: the caller gets a {@code RemoteDatabaseException} after
 * that time even if the native call is still waiting (a late result is closed when it arrives).
 */
public final class NamespaceStore implements TableStore {
  private static final ExecutorService CALLS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "lancetorch-namespace-call");
            t.setDaemon(true);
            return t;
          });

  private final String uri;
  private final String endpoint;
  private final LanceNamespace namespace;
  private final String objectRoot;
  private final Duration timeout;
  private final StoreErrors errors;
  private boolean closed;

  private NamespaceStore(
      String uri,
      String endpoint,
      LanceNamespace namespace,
      String objectRoot,
      Duration timeout,
      StoreErrors errors) {
    this.uri = uri;
    this.endpoint = endpoint;
    this.namespace = namespace;
    this.objectRoot = objectRoot;
    this.timeout = timeout;
    this.errors = errors;
  }

  /** {@code db://name}: a REST namespace client. */
  static NamespaceStore rest(
      String uri, StoreOptions o, StoreErrors errors, BufferAllocator allocator) {
    String db = uri.substring("db://".length()).replaceAll("/+$", "");
    if (db.isEmpty() || db.contains("/")) {
      throw new IllegalArgumentException(
          "db:// uri must be db://<database-name>, got '" + uri + "'");
    }
    String url =
        o.hostOverride() != null
            ? o.hostOverride()
            : "https://" + db + "." + o.region() + ".api.lancedb.com";
    Map<String, String> props = new TreeMap<>();
    props.put("uri", url);
    o.headers().forEach((k, v) -> props.put("headers." + k, v));
    if (o.apiKey() != null) {
      props.put("headers.x-api-key", o.apiKey());
    }
    props.put("headers.x-lancedb-database", db);
    RestNamespace ns = new RestNamespace();
    try {
      ns.initialize(props, allocator);
    } catch (RuntimeException e) {
      ns.close();
      throw errors.remote(
          "cannot set up the namespace client for " + uri + " at " + url + ": " + e.getMessage(),
          url,
          null,
          e);
    }
    return new NamespaceStore("db://" + db, url, ns, null, o.requestTimeout(), errors);
  }

  /** {@code s3://bucket/prefix}: a directory namespace on the object store. */
  static NamespaceStore objectStore(
      String uri, StoreOptions o, StoreErrors errors, BufferAllocator allocator) {
    Map<String, String> props = new TreeMap<>();
    props.put("root", uri);
    props.put("manifest_enabled", "false");
    props.put("dir_listing_enabled", "true");
    o.storageOptions().forEach((k, v) -> props.put("storage." + k, v));
    DirectoryNamespace ns = new DirectoryNamespace();
    try {
      ns.initialize(props, allocator);
    } catch (RuntimeException e) {
      ns.close();
      throw errors.remote(
          "cannot open object-store database " + uri + ": " + e.getMessage(), uri, null, e);
    }
    return new NamespaceStore(uri, uri, ns, uri, o.requestTimeout(), errors);
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public String where() {
    return endpoint.equals(uri) ? uri : uri + " (" + endpoint + ")";
  }

  /**
   * @return the URL (db://) or object-store root (s3://)
   */
  String endpoint() {
    return endpoint;
  }

  @Override
  public List<String> tableNames() {
    List<String> names = new ArrayList<>();
    String page = null;
    do {
      ListTablesRequest req = new ListTablesRequest().id(List.of()).pageToken(page);
      ListTablesResponse resp = call("listing tables", null, () -> namespace.listTables(req), null);
      if (resp.getTables() != null) {
        names.addAll(resp.getTables());
      }
      page = resp.getPageToken();
    } while (page != null && !page.isEmpty());
    Collections.sort(names);
    return names;
  }

  @Override
  public boolean exists(String name) {
    try {
      call(
          "checking table '" + name + "'",
          name,
          () -> {
            namespace.tableExists(new TableExistsRequest().id(List.of(name)));
            return Boolean.TRUE;
          },
          null);
      return true;
    } catch (RuntimeException e) {
      if (errors.isTableNotFound(e)) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public OpenDatasetBuilder target(OpenDatasetBuilder builder, String name) {
    return objectRoot != null
        ? builder.uri(objectRoot + "/" + TableNames.directoryName(name))
        : builder.namespaceClient(namespace).tableId(List.of(name));
  }

  @Override
  public WriteDatasetBuilder target(WriteDatasetBuilder builder, String name) {
    return objectRoot != null
        ? builder.uri(objectRoot + "/" + TableNames.directoryName(name))
        : builder.namespaceClient(namespace).tableId(List.of(name));
  }

  /**
   * Opens a dataset, bounded by the request timeout for REST namespaces (the server is asked
   * first).
   */
  public Dataset open(OpenDatasetBuilder builder, String name) {
    return call("opening table '" + name + "'", name, builder::build, Dataset::close);
  }

  @Override
  public void drop(String name, Map<String, String> storageOptions) {
    call(
        "dropping table '" + name + "'",
        name,
        () -> namespace.dropTable(new DropTableRequest().id(List.of(name))),
        null);
  }

  /**
   * Runs {@code action} on a daemon thread, waiting at most the request timeout.
   *
   * @param late what to do with a result that arrives after the caller gave up (null: drop it)
   */
  <T> T call(String what, String table, Supplier<T> action, Consumer<T> late) {
    CompletableFuture<T> f = CompletableFuture.supplyAsync(action, CALLS);
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      if (late != null) {
        f.thenAccept(late);
      }
      throw errors.remote(
          what
              + " in "
              + uri
              + " at "
              + endpoint
              + " timed out after "
              + timeout.toMillis()
              + " ms (ConnectOptions.requestTimeout)",
          endpoint,
          "TIMEOUT",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (late != null) {
        f.thenAccept(late);
      }
      throw errors.remote(
          what + " in " + uri + " at " + endpoint + " was interrupted", endpoint, null, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw translateAlways(what, table, r);
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw errors.remote(
          what + " in " + uri + " at " + endpoint + " failed: " + c, endpoint, null, c);
    }
  }

  /**
   * @return a clear exception for a failure of a namespace call, or null when {@code e} is not a
   *     namespace/transport failure (object-store opens keep their own messages then)
   */
  public RuntimeException translate(String what, String table, RuntimeException e) {
    if (errors.isTranslated(e)) {
      return e;
    }
    if (e instanceof org.lance.namespace.errors.TableNotFoundException || notFound(e)) {
      return errors.tableNotFound(
          "table '" + table + "' not found in " + uri + " (" + endpoint + ")", e);
    }
    if (e instanceof LanceNamespaceException ne) {
      String status =
          ne.getErrorCode() != null ? ne.getErrorCode().name() : Integer.toString(ne.getCode());
      return errors.remote(
          what
              + " in "
              + uri
              + " at "
              + endpoint
              + " failed with "
              + status
              + ": "
              + ne.getMessage(),
          endpoint,
          status,
          e);
    }
    if (objectRoot == null) {
      return errors.remote(
          what + " in " + uri + " at " + endpoint + " failed: " + e.getMessage(),
          endpoint,
          null,
          e);
    }
    return null;
  }

  private RuntimeException translateAlways(String what, String table, RuntimeException e) {
    RuntimeException t = translate(what, table, e);
    return t != null
        ? t
        : errors.remote(what + " in " + uri + " failed: " + e.getMessage(), endpoint, null, e);
  }

  private static boolean notFound(RuntimeException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return m.contains("table not found") || m.contains("tablenotfound");
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      ((Closeable) namespace).close();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("closing the namespace client of " + uri, e);
    }
  }
}
