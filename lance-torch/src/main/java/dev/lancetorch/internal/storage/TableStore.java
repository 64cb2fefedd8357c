package dev.lancetorch.internal.storage;

import java.util.List;
import java.util.Map;
import org.lance.OpenDatasetBuilder;
import org.lance.WriteDatasetBuilder;

/**
 * Where a connection's tables live and how to address one: a local/memory directory ({@link
 * DatabaseLocation}) or a Lance namespace ({@link NamespaceStore}: {@code db://} through the REST
 * protocol, {@code s3://} through a directory namespace on the object store).
 */
public interface TableStore extends AutoCloseable {
  /**
   * @return the normalized database uri (also what {@code TableRef} carries)
   */
  String uri();

  /**
   * @return the uri plus, for remote stores, the endpoint, for messages
   */
  default String where() {
    return uri();
  }

  /**
   * @return table names, sorted
   */
  List<String> tableNames();

  /**
   * @return whether the table exists
   */
  boolean exists(String name);

  /** Points an open builder at table {@code name}. */
  OpenDatasetBuilder target(OpenDatasetBuilder builder, String name);

  /** Points a write builder at table {@code name}. */
  WriteDatasetBuilder target(WriteDatasetBuilder builder, String name);

  /**
   * Removes what a failed create of table {@code name} (which did not exist before) left behind,
   * unless a version was committed meanwhile (a concurrent creator's). Local directories only;
   * other stores leave nothing to clean.
   */
  default void removeFailedCreate(String name) {}

  /** Deletes table {@code name} (which exists). */
  void drop(String name, Map<String, String> storageOptions);

  /** Releases what the store holds (idempotent, never throws checked exceptions). */
  @Override
  void close();
}
