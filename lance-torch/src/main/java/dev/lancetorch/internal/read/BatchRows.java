package dev.lancetorch.internal.read;

/**
 * A list of batches (of row offsets) that knows each batch's row count without making the batch: a
 * loader's epoch plan whose batches are cut from a computed order when asked (the readers size
 * their windows from the counts and ask only the batches they read). No batch is empty, and every
 * offset was checked against the source's rows when the list was made (the loaders make such lists
 * from their built-in samplers, or check them): readers do not walk the list to check it again.
 * Immutable.
 */
public interface BatchRows {
  /** Rows of batch {@code i}. */
  int rowsOf(int i);

  /** Rows of every batch together. */
  long totalRows();

  /**
   * The rows of every batch but possibly the last (which is not larger), or -1 when they differ.
   */
  int uniformRows();
}
