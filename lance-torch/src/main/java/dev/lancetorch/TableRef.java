package dev.lancetorch;

import dev.lancetorch.internal.storage.TableNames;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A serializable description of a table at a version, for handing a table to another thread or
 * process (e.g. data-loader workers). No native resources.
 *
 * <p>For local databases {@link #databaseUri()} is an absolute path, valid on any machine that
 * mounts it at the same place. For {@code memory://name} it is the key of the JVM-wide registry:
 * {@link #open()} works from any thread of this JVM while some connection to that memory database
 * is open (the table the ref came from keeps it alive). To move a memory table to another JVM, send
 * its rows instead: {@link Table#toArrowIpc} / {@link Connection#createTableFromArrowIpc}.
 *
 * <p>For {@code s3://} and {@code db://} it carries everything needed to reconnect from another
 * process: {@link #storageOptions()} (object-store credentials) and {@link #remoteOptions()}
 * ({@code db://} API key, region, host, headers, timeout). <b>Security:</b> like LanceDB's own
 * permutation reopen state, this means the default reopen state of a table <b>contains the API key
 * and storage credentials</b> in clear text wherever it is serialized. To keep credentials out of
 * it, build permutations with {@code Permutation.withConnectionFactory(...)}: the factory loads
 * credentials where the worker runs.
 *
 * @param databaseUri normalized database uri
 * @param tableName table name
 * @param storageOptions storage options of the original connection
 * @param version the version the table was at
 * @param readConsistencyInterval the original connection's interval, or null
 * @param remoteOptions the original connection's {@code db://} settings (may hold the API key)
 */
public record TableRef(
    String databaseUri,
    String tableName,
    Map<String, String> storageOptions,
    long version,
    Duration readConsistencyInterval,
    Map<String, String> remoteOptions)
    implements Serializable {

  /** Canonical constructor; copies the maps into serializable maps. */
  public TableRef {
    storageOptions = storageOptions == null ? new TreeMap<>() : new TreeMap<>(storageOptions);
    remoteOptions = remoteOptions == null ? new TreeMap<>() : new TreeMap<>(remoteOptions);
  }

  /**
   * A reference without {@code db://} settings (local, memory and object-store databases).
   *
   * @param databaseUri normalized database uri
   * @param tableName table name
   * @param storageOptions storage options
   * @param version the version
   * @param readConsistencyInterval interval or null
   */
  public TableRef(
      String databaseUri,
      String tableName,
      Map<String, String> storageOptions,
      long version,
      Duration readConsistencyInterval) {
    this(databaseUri, tableName, storageOptions, version, readConsistencyInterval, null);
  }

  /**
   * @return a string without the storage options and API key
   */
  @Override
  public String toString() {
    return "TableRef[" + databaseUri + ", " + tableName + ", version " + version + "]";
  }

  /**
   * Opens a fresh, read-only table pinned at {@link #version()} with its own connection (and own
   * root allocator), closed together with the table.
   *
   * @return the table; the caller closes it
   */
  public Table open() {
    return open(null, true);
  }

  /**
   * @param parent parent allocator (borrowed) for the private connection's child allocator
   * @return a fresh read-only table pinned at {@link #version()}; the caller closes it
   */
  public Table open(BufferAllocator parent) {
    return open(parent, true);
  }

  /**
   * @param parent parent allocator (borrowed), or null for an owned root allocator
   * @return a fresh table following the latest version (writable), with its own connection
   */
  public Table openLatest(BufferAllocator parent) {
    return open(parent, false);
  }

  private Table open(BufferAllocator parent, boolean pinned) {
    ConnectOptions options =
        ConnectOptions.builder()
            .storageOptions(storageOptions)
            .readConsistencyInterval(readConsistencyInterval)
            .allocator(parent)
            .remoteProperties(remoteOptions)
            .build();
    Connection connection = LanceDb.connect(databaseUri, options);
    try {
      if (!connection.exists(TableNames.validate(tableName))) {
        throw new TableNotFoundException(
            "table '"
                + tableName
                + "' not found in "
                + databaseUri
                + (databaseUri.startsWith("memory://")
                    ? " (memory databases exist only while a connection to them is open in this"
                        + " JVM)"
                    : ""),
            null);
      }
      Long v = pinned ? version : null;
      return connection.register(
          new Table(connection, tableName, connection.openDataset(tableName, v), v, true));
    } catch (RuntimeException | Error e) {
      connection.close();
      throw e;
    }
  }
}
