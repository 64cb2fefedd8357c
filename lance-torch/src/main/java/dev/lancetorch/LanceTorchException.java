package dev.lancetorch;

/**
 * The root of the exceptions lance-torch raises for failures of the data or the environment (as
 * opposed to misuse, which raises the JDK's {@link IllegalArgumentException} / {@link
 * IllegalStateException}): a table that is missing ({@link TableNotFoundException}) or already
 * exists ({@link TableAlreadyExistsException}), storage that failed ({@link LanceIoException}), a
 * remote database that failed ({@link RemoteDatabaseException}), a loader batch that could not be
 * produced ({@code dev.lancetorch.loader.DataLoaderException}), or any other error Lance reported.
 * Unchecked; the message names the operation, the table and the database or dataset uri where
 * known.
 */
public class LanceTorchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, naming the table and uri where known
   * @param cause the underlying error, may be null
   */
  public LanceTorchException(String message, Throwable cause) {
    super(message, cause);
  }
}
