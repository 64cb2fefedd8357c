package dev.lancetorch;

/** What {@link Connection#createTable} does when a table of that name already exists. */
public enum CreateMode {
  /** Fail with {@link TableAlreadyExistsException} if the table exists. */
  CREATE,
  /** Replace the existing table's data (a new version of the same dataset is committed). */
  OVERWRITE,
  /**
   * Keep the existing table and open it; the supplied data is ignored (but still consumed and
   * closed, as ownership of a reader passed in is always transferred).
   */
  EXIST_OK
}
