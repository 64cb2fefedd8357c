package dev.lancetorch;

/** Thrown by {@link Connection#createTable} in {@link CreateMode#CREATE} when the table exists. */
public class TableAlreadyExistsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message description naming the table and the database uri */
  public TableAlreadyExistsException(String message) {
    super(message);
  }
}
