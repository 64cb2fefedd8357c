package dev.lancetorch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Turns what Lance's Java binding throws into lance-torch's exceptions, by type. Lance raises a
 * checked {@link IOException} for storage errors (undeclared, so it escapes {@code catch
 * (RuntimeException)}), an {@link IllegalArgumentException} for bad input and for a missing dataset
 * ("... was not found"), and other runtime exceptions for the rest.
 *
 * <ul>
 *   <li>{@link IOException} / {@link UncheckedIOException} → {@link LanceIoException} naming the
 *       operation, table, uri;
 *   <li>"not found" from Lance → {@link TableNotFoundException} (only then);
 *   <li>"already exists" from Lance → {@link TableAlreadyExistsException};
 *   <li>{@link IllegalArgumentException} → {@link IllegalArgumentException} (bad input), with the
 *       context;
 *   <li>lance-torch's own exceptions and {@link IllegalStateException} pass through;
 *   <li>anything else → {@link LanceTorchException}.
 * </ul>
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
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (m.contains("not found")) {
      return new TableNotFoundException(
          "table '" + table + "' not found in " + uri + " (" + operation + "): " + e.getMessage(),
          e);
    }
    if (m.contains("already exists")) {
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
    if (e instanceof IllegalArgumentException) {
      return new IllegalArgumentException(where, e);
    }
    return new LanceTorchException(where, e);
  }
}
