package dev.lancetorch;

/**
 * Storage failed while lance-torch (through Lance) read or wrote a table: a full disk, a read-only
 * or missing directory, a corrupted or truncated file, an object store error. The cause is the
 * {@link java.io.IOException} Lance reported; {@link #table()} and {@link #uri()} say where.
 */
public class LanceIoException extends LanceTorchException {
  private static final long serialVersionUID = 1L;
  private final String table;
  private final String uri;

  /**
   * @param message what failed, naming the table and uri
   * @param table the table name, may be null
   * @param uri the database or dataset uri, may be null
   * @param cause the I/O error
   */
  public LanceIoException(String message, String table, String uri, Throwable cause) {
    super(message, cause);
    this.table = table;
    this.uri = uri;
  }

  /**
   * @return the table the failed operation was on, or null
   */
  public String table() {
    return table;
  }

  /**
   * @return the database or dataset uri, or null
   */
  public String uri() {
    return uri;
  }
}
