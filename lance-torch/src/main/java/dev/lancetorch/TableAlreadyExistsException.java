package dev.lancetorch;

/** Thrown by {@link Connection#createTable} in {@link CreateMode#CREATE} when the table exists. */
public class TableAlreadyExistsException extends LanceTorchException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message description naming the table and the database uri
   */
  public TableAlreadyExistsException(String message) {
    super(message, null);
  }

  /**
   * @param message description naming the table and the database uri
   * @param cause what Lance reported, may be null
   */
  public TableAlreadyExistsException(String message, Throwable cause) {
    super(message, cause);
  }
}
