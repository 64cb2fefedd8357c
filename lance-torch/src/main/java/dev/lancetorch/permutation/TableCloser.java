package dev.lancetorch.permutation;

import dev.lancetorch.Table;
import dev.lancetorch.internal.memory.Cleaners;
import dev.lancetorch.internal.memory.CloseAll;
import java.util.List;

/**
 * Shared close flag of the permutations that share one table handle, and the iterators open over
 * it: closing an owned handle closes them first, so nothing they hold outlives the table.
 */
final class TableCloser {
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.Set<BatchIterator.OpenReads> open =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  boolean markClosed() {
    return closed.compareAndSet(false, true);
  }

  /**
   * Closes {@code view} (a pinned view of a borrowed table) once no permutation or iterator of it
   * is reachable.
   */
  void ownView(Table view) {
    Cleaners.CLEANER.register(this, view::close);
  }

  void opened(BatchIterator.OpenReads reads) {
    open.add(reads);
  }

  void forget(BatchIterator.OpenReads reads) {
    open.remove(reads);
  }

  /** Closes every open iterator (each waits for a {@code next()} in progress). */
  void closeIterators() {
    CloseAll.each(List.copyOf(open), BatchIterator.OpenReads::run);
  }

  /** Iterators still open over this handle (for tests). */
  int openIterators() {
    return open.size();
  }

  boolean isClosed() {
    return closed.get();
  }
}
