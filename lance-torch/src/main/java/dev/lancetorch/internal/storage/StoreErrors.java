package dev.lancetorch.internal.storage;

/**
 * Makes the exceptions a namespace store throws (the connection gives the public {@code
 * TableNotFoundException} and {@code RemoteDatabaseException}), and tells them apart.
 */
public interface StoreErrors {
  /** A table the store does not hold. */
  RuntimeException tableNotFound(String message, Throwable cause);

  /**
   * A namespace or transport failure.
   *
   * @param status the remote status, or null
   */
  RuntimeException remote(String message, String endpoint, String status, Throwable cause);

  /** Whether {@code e} is a table-not-found exception of {@link #tableNotFound}'s type. */
  boolean isTableNotFound(RuntimeException e);

  /** Whether {@code e} is already one of the two exceptions above (passed on as it is). */
  boolean isTranslated(RuntimeException e);
}
