package dev.lancetorch.permutation;

import dev.lancetorch.internal.read.BatchRows;
import dev.lancetorch.internal.read.EpochAddresses;
import dev.lancetorch.internal.read.PlannedReads;
import dev.lancetorch.internal.read.WindowReader;
import java.util.List;

/**
 * The read-ahead plans of one {@link Permutation} handle ({@link PlannedReads}): those it makes for
 * a loader's workers ({@link #share}) and the one it takes its own {@code takeOffsets} batches from
 * ({@link #replace}, {@link #take}). Owns that last plan until it ends or is replaced; the caller
 * owns a shared plan. Thread-safe.
 *
 * @param <T> the batch type
 */
final class ReadPlans<T> {
  private final Permutation<T> owner;
  private PlannedReads.Cursor planned; // the owner's announced batches; guarded by this

  ReadPlans(Permutation<T> owner) {
    this.owner = owner;
  }

  /**
   * The planned batch for {@code offsets} (owned by the caller), or null when they are not the next
   * announced batch: the plan then ends (the caller reads them the plain way).
   */
  @SuppressWarnings("unchecked")
  T take(long[] offsets) {
    PlannedReads.Cursor plan;
    synchronized (this) {
      plan = planned;
    }
    if (plan == null) {
      return null;
    }
    T b = (T) plan.take(offsets);
    if (b == null) {
      synchronized (this) {
        if (planned == plan) {
          planned = null;
        }
      }
      plan.close();
    }
    return b;
  }

  /**
   * Reads ahead for one consumer: the owner's next {@code takeOffsets} calls will ask these batches
   * in this order, so the read planner ({@link Permutation#withReadAhead}) reads them a window at a
   * time, with the owner's read-ahead budget ({@code DataLoader} workers share one {@link #share}
   * of the epoch instead). Consecutive ranges of an identity permutation (a loader without shuffle
   * and one worker) are instead read as one stream, as {@link Permutation#iter} reads them
   * (zero-copy tensors, variable-length columns too). A call that asks anything else ends the plan
   * and is read the plain way; an empty list drops the plan. The batches must not be modified
   * afterwards. A no-op when no plan applies or read-ahead is off ({@code withReadAhead(0)}).
   */
  void replace(List<long[]> batches) {
    PlannedReads.Cursor old;
    synchronized (this) {
      old = planned;
      planned = null;
    }
    if (old != null) {
      old.close();
    }
    PermutationSpec spec = owner.spec();
    if (batches.isEmpty() || spec.readAheadBytes() == 0 || !inRange(batches)) {
      return; // takeOffsets reports offsets out of range
    }
    PlannedReads plan = spec.selection().scansInOrder() ? SequentialReads.of(owner, batches) : null;
    if (plan == null) {
      plan = planned(batches, null);
    }
    if (plan != null) {
      PlannedReads.Cursor replaced;
      // a concurrent replace may have set one meanwhile: close it, not leak it
      synchronized (this) {
        replaced = planned;
        planned = new PlannedReads.Cursor(plan);
      }
      if (replaced != null) {
        replaced.close();
      }
    }
  }

  /**
   * Reads these batches once, in this order, through the read planner ({@link
   * Permutation#withReadAhead}), for any number of threads: {@link PlannedBatches#take(int)} hands
   * out batch {@code i}, in any order and from any thread, while the planner reads the windows
   * ahead. This is how a {@code DataLoader}'s workers share one plan per epoch (one scan of a
   * fragment for all of them, one read-ahead budget). Batches may have any sizes (a loader's
   * workers each end with a shorter one); the planner's windows hold whole batches. The caller owns
   * the result and closes it; the batches must not be modified afterwards. Null when no plan
   * applies: read-ahead off, an empty batch, an offset out of range, or columns the planner does
   * not read (then read with {@code takeOffsets}).
   *
   * <p>With {@code after} (null: start now) the first windows are read once {@code after} has begun
   * reading its last one, in the window slots that one leaves free (or when a batch of it is first
   * asked, if sooner), so a loader's next epoch is read while this one's last window is read and
   * handed out — the windows alive of both stay within the read-ahead budget.
   */
  PlannedBatches<T> share(List<long[]> batches, PlannedBatches<?> after) {
    PermutationSpec spec = owner.spec();
    if (batches.isEmpty() || spec.readAheadBytes() == 0 || !inRange(batches)) {
      return null;
    }
    return planned(batches, after);
  }

  /** {@link #share} of batches checked already (not empty, in range, read-ahead on). */
  private PlannedBatches<T> planned(List<long[]> batches, PlannedBatches<?> after) {
    EpochAddresses plan = owner.spec().selection().planned(batches, owner.readTable());
    WindowReader r =
        plan == null ? null : owner.reading().windowReader(plan, new WindowReader.Stats());
    if (r == null) {
      return null;
    }
    try {
      if (after == null) {
        r.start();
      } else {
        r.readAfter(after.reader());
      }
      return new PlannedBatches<>(owner, kept(batches), r);
    } catch (RuntimeException | Error e) {
      r.close(); // its windows are read ahead already
      throw e;
    }
  }

  /**
   * The batches as a plan keeps them: a copy (the caller's list may change), or the list itself
   * when it is a loader's immutable epoch plan ({@link BatchRows}: batches made when asked).
   */
  static List<long[]> kept(List<long[]> batches) {
    return batches instanceof BatchRows ? batches : List.copyOf(batches);
  }

  /**
   * True when {@link #replace} reads these batches as one stream (consecutive ranges of an identity
   * permutation) rather than through the read planner.
   */
  boolean streams(List<long[]> batches) {
    PermutationSpec spec = owner.spec();
    return spec.readAheadBytes() != 0
        && spec.selection().scansInOrder()
        && inRange(batches)
        && PlannedReads.consecutive(batches);
  }

  private boolean inRange(List<long[]> batches) {
    if (batches instanceof BatchRows) {
      return true; // checked when made (a loader's epoch: not walked again)
    }
    long n = owner.numRows();
    for (long[] b : batches) {
      for (long o : b) {
        if (o < 0 || o >= n) {
          return false;
        }
      }
    }
    return true;
  }
}
