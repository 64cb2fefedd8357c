package dev.lancetorch;

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
 * is open (the table the ref came from keeps it alive). To move a memory table to another JVM,
 * send its rows instead: {@link Table#toArrowIpc} / {@link Connection#createTableFromArrowIpc}.
 *
 * @param databaseUri normalized database uri
 * @param tableName table name
 * @param storageOptions storage options of the original connection
 * @param version the version the table was at
 * @param readConsistencyInterval the original connection's interval, or null
 */
public record TableRef(
    String databaseUri, String tableName, Map<String, String> storageOptions, long version,
    Duration readConsistencyInterval) implements Serializable {

  /** Canonical constructor; copies the storage options into a serializable map. */
  public TableRef {
    storageOptions = storageOptions == null ? new TreeMap<>() : new TreeMap<>(storageOptions);
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
    ConnectOptions options = ConnectOptions.builder()
        .storageOptions(storageOptions)
        .readConsistencyInterval(readConsistencyInterval)
        .allocator(parent)
        .build();
    Connection connection = LanceDb.connect(databaseUri, options);
    try {
      if (!connection.exists(TableNames.validate(tableName))) {
        throw new TableNotFoundException("table '" + tableName + "' not found in " + databaseUri
            + (databaseUri.startsWith("memory://") ? " (memory databases exist only while a connection to them is open in this JVM)" : ""), null);
      }
      Long v = pinned ? version : null;
      return connection.register(new Table(connection, tableName, connection.openDataset(tableName, v), v, true));
    } catch (RuntimeException | Error e) {
      connection.close();
      throw e;
    }
  }
}
