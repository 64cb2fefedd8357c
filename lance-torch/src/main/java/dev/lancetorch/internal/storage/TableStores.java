package dev.lancetorch.internal.storage;

import org.apache.arrow.memory.BufferAllocator;

/** Chooses the {@link TableStore} for a database uri. */
public final class TableStores {
  private TableStores() {}

  public static TableStore open(
      String uri, StoreOptions options, StoreErrors errors, BufferAllocator allocator) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("database uri must not be empty");
    }
    String scheme = DatabaseLocation.scheme(uri);
    if ("db".equals(scheme)) {
      return NamespaceStore.rest(uri, options, errors, allocator);
    }
    if ("s3".equals(scheme) || "s3a".equals(scheme)) {
      return NamespaceStore.objectStore(uri.replaceAll("/+$", ""), options, errors, allocator);
    }
    return DatabaseLocation.resolve(uri);
  }
}
