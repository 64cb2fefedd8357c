package dev.lancetorch;

/** Thrown when a table that does not exist is opened, dropped or referenced. */
public class TableNotFoundException extends LanceTorchException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message description naming the table and the database uri
   * @param cause underlying error, may be null
   */
  public TableNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
