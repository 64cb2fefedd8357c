package dev.lancetorch.permutation;

import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.read.PlanAccess;
import dev.lancetorch.internal.read.PlannedReads;
import dev.lancetorch.internal.read.WindowReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Batches of a permutation read once, in their planned order, by the read planner, for any number
 * of threads ({@link Permutation#planBatches}): {@link #take(int)} hands out batch {@code i} in any
 * order and from any thread. One thread at a time pulls the planner's batches in order (outside the
 * lock, so threads whose batches are already read are not held up) and parks those read before they
 * are asked for; the planner reads the next window ahead meanwhile. A {@code DataLoader}'s workers
 * share one of these per epoch, so each window is read once for all of them: it is their {@link
 * PlannedReads}, made through {@link PlanAccess}.
 *
 * <p>Memory: the planner's windows (a third of the read-ahead budget each, at most three alive, see
 * {@link WindowReader}) plus the batches read but not yet taken; a thread that takes its batches
 * late holds them back.
 *
 * <p>Ownership: owns every batch until {@link #take} returns it (then the caller owns it) and the
 * planner; {@link #close()} (idempotent, any thread) frees the batches not taken and, once no
 * thread is pulling, the planner. A {@code take} after close, or a second take of one batch, throws
 * {@link IllegalStateException}. A failed read is thrown by every {@code take} that needs it (or a
 * later batch) and ends the plan. Thread-safe.
 *
 * @param <T> the batch type
 */
final class PlannedBatches<T> implements PlannedReads {
  private final Permutation<T> owner;
  private final List<long[]> batches;
  private final WindowReader reader;
  private final Map<Integer, NativeBatch> parked = new HashMap<>();
  private final boolean[] taken;
  private int pulled; // batches the planner has returned so far
  private boolean pulling;
  private RuntimeException failure;
  private boolean closed;

  PlannedBatches(Permutation<T> owner, List<long[]> batches, WindowReader reader) {
    this.owner = owner;
    this.batches = batches;
    this.reader = reader;
    this.taken = new boolean[batches.size()];
  }

  /** The planner of these batches (for the plan read after this one). */
  WindowReader reader() {
    return reader;
  }

  @Override
  public List<long[]> batches() {
    return batches;
  }

  /** Number of planned batches. */
  public int size() {
    return batches.size();
  }

  /** The offsets of planned batch {@code index} (not to be modified). */
  public long[] offsets(int index) {
    return batches.get(checkIndex(index));
  }

  /**
   * Planned batch {@code index}, in the permutation's format, owned by the caller. Waits while the
   * planner reads its window.
   *
   * @throws IndexOutOfBoundsException if there is no such batch
   * @throws IllegalStateException if it was taken already, or this is closed
   */
  public T take(int index) {
    return take(index, owner);
  }

  /**
   * Like {@link #take(int)}, formatted by {@code handle}: another handle of the same permutation
   * ({@link Permutation#reopen()}, as a loader worker holds), so the batch is made with that
   * handle's allocator.
   *
   * @throws IllegalArgumentException if {@code handle} reads other columns or another format
   */
  public T take(int index, Permutation<T> handle) {
    if (handle != owner && !handle.spec().formatsLike(owner.spec())) {
      throw new IllegalArgumentException(
          "the handle reads other columns or another format than the planned permutation");
    }
    return handle.reading().format(raw(index));
  }

  /** {@link #take(int, Permutation)} for the loaders; {@code handle} null: {@link #take(int)}. */
  @Override
  @SuppressWarnings("unchecked")
  public Object take(int index, Object handle) {
    return handle == null ? take(index) : take(index, (Permutation<T>) handle);
  }

  /** The gathered batch {@code index} (owned by the caller). */
  private NativeBatch raw(int index) {
    checkIndex(index);
    while (true) {
      synchronized (this) {
        while (true) {
          if (closed) {
            throw new IllegalStateException("the planned batches are closed");
          }
          if (taken[index]) {
            throw new IllegalStateException("planned batch " + index + " was taken already");
          }
          NativeBatch b = parked.remove(index);
          if (b != null) {
            taken[index] = true;
            return b;
          }
          if (failure != null) {
            throw failure;
          }
          if (!pulling) {
            pulling = true;
            break;
          }
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for planned batch " + index);
          }
        }
      }
      pullUpTo(index);
    }
  }

  /**
   * Pulls the planner's batches in order until batch {@code index} is parked (or a read fails);
   * called by the one pulling thread, outside the lock.
   */
  private void pullUpTo(int index) {
    RuntimeException error = null;
    int from;
    synchronized (this) {
      from = pulled;
    }
    java.util.List<NativeBatch> got = new java.util.ArrayList<>();
    try {
      for (int i = from; i <= index; i++) {
        NativeBatch b = reader.next();
        if (b == null || b.numRows() != batches.get(i).length) {
          if (b != null) {
            b.close();
          }
          throw new IllegalStateException("the read planner returned a batch of the wrong size");
        }
        got.add(b);
        if (reader.readyBatches() == 0) {
          break; // park what this window gave before waiting for the next one
        }
      }
    } catch (RuntimeException e) {
      error = e;
    }
    boolean closeReader;
    synchronized (this) {
      for (NativeBatch b : got) {
        if (closed) {
          b.close();
        } else {
          parked.put(pulled, b);
        }
        pulled++;
      }
      if (error != null && failure == null) {
        failure = error;
      }
      pulling = false;
      closeReader = closed;
      notifyAll();
    }
    if (closeReader) {
      reader.close();
    }
  }

  private int checkIndex(int index) {
    if (index < 0 || index >= batches.size()) {
      throw new IndexOutOfBoundsException(
          "planned batch " + index + " out of range [0, " + batches.size() + ")");
    }
    return index;
  }

  /** Frees the batches not taken and the planner (now, or when the pulling thread returns). */
  @Override
  public void close() {
    boolean closeReader;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      parked.values().forEach(NativeBatch::close);
      parked.clear();
      closeReader = !pulling;
      notifyAll();
    }
    if (closeReader) {
      reader.close();
    }
  }
}
