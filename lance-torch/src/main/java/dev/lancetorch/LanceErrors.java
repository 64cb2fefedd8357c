package dev.lancetorch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Turns what Lance's Java binding throws into lance-torch's exceptions: by the exception's type
 * wherever lance-core gives one, by a message substring only where it does not.
 *
 * <p>What lance-core 7.0.0 throws ({@code lance-jni}'s {@code error.rs}): Lance's {@code IO} and
 * {@code NotFound} (a missing or unreadable file) and JSON errors as a checked {@link IOException}
 * (undeclared, so it escapes {@code catch (RuntimeException)}; Arrow stream readers may wrap it in
 * an {@link UncheckedIOException}); {@code DatasetNotFound}, {@code DatasetAlreadyExists}, {@code
 * CommitConflict} and {@code InvalidInput} all as one {@link IllegalArgumentException}; {@code
 * NotSupported} as {@link UnsupportedOperationException}; namespace errors as typed {@code
 * org.lance.namespace.errors.*} exceptions; everything else as a plain {@link RuntimeException}.
 *
 * <p>By type:
 *
 * <ul>
 *   <li>{@link IOException} / {@link UncheckedIOException} → {@link LanceIoException} naming the
 *       operation, table and uri (never a "not found", whatever the message says: a missing data
 *       file is a storage fault, not a missing table);
 *   <li>{@code org.lance.namespace.errors.TableNotFoundException} → {@link TableNotFoundException};
 *       {@code org.lance.namespace.errors.TableAlreadyExistsException} → {@link
 *       TableAlreadyExistsException};
 *   <li>lance-torch's own exceptions and {@link IllegalStateException} pass through;
 *   <li>{@link UnsupportedOperationException} and any other exception → {@link
 *       LanceTorchException}.
 * </ul>
 *
 * <p>By substring — the only cases, all inside the one {@link IllegalArgumentException} lance-core
 * raises for four different errors:
 *
 * <ul>
 *   <li>"not found" ({@code DatasetNotFound}: "Dataset at … was not found") → {@link
 *       TableNotFoundException};
 *   <li>"already exists" ({@code DatasetAlreadyExists}) → {@link TableAlreadyExistsException};
 *   <li>otherwise ({@code InvalidInput}, {@code CommitConflict}) it stays an {@link
 *       IllegalArgumentException}, with the context added.
 * </ul>
 *
 * (The namespace REST client's untyped 404s are the one other substring case: "table not found" in
 * {@code internal.storage.NamespaceStore}.)
 */
final class LanceErrors {
  private LanceErrors() {}

  /**
   * @param operation what was being done, e.g. {@code "opening"}, {@code "writing (CREATE)"}
   * @param table the table name
   * @param uri the database uri (or endpoint text)
   * @param e what Lance threw
   * @return the exception to throw instead (never null)
   */
  static RuntimeException classify(String operation, String table, String uri, Throwable e) {
    if (e instanceof LanceTorchException || e instanceof IllegalStateException) {
      return (RuntimeException) e;
    }
    if (e instanceof Error err) {
      throw err;
    }
    String where = operation + " table '" + table + "' in " + uri + " failed: " + e.getMessage();
    if (e instanceof IOException || e instanceof UncheckedIOException) {
      return new LanceIoException(where, table, uri, e);
    }
    if (e instanceof org.lance.namespace.errors.TableNotFoundException) {
      return notFound(operation, table, uri, e);
    }
    if (e instanceof org.lance.namespace.errors.TableAlreadyExistsException) {
      return alreadyExists(operation, table, uri, e);
    }
    if (e instanceof IllegalArgumentException) {
      String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("not found")) {
        return notFound(operation, table, uri, e);
      }
      if (m.contains("already exists")) {
        return alreadyExists(operation, table, uri, e);
      }
      return new IllegalArgumentException(where, e);
    }
    return new LanceTorchException(where, e);
  }

  private static TableNotFoundException notFound(
      String operation, String table, String uri, Throwable e) {
    return new TableNotFoundException(
        "table '" + table + "' not found in " + uri + " (" + operation + "): " + e.getMessage(), e);
  }

  private static TableAlreadyExistsException alreadyExists(
      String operation, String table, String uri, Throwable e) {
    return new TableAlreadyExistsException(
        "table '"
            + table
            + "' already exists in "
            + uri
            + " ("
            + operation
            + "): "
            + e.getMessage(),
        e);
  }
}
