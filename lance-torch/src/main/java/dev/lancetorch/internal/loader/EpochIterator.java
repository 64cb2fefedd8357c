package dev.lancetorch.internal.loader;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One epoch of a loader, consumed by one thread: pulls the results of a {@link TaskStream}, skips
 * those its error policy dropped, reports each to the loader's {@link EpochHooks}.
 *
 * <p>Ownership: the batch {@code hasNext()} holds for the next {@code next()} is this iterator's
 * until returned; {@link #stop()} (any thread) closes it and the stream, which closes everything
 * not yet delivered. A failure of the stream stops the epoch and is rethrown; after stop, {@code
 * hasNext()} is false — unless the loader was closed before the epoch ended ({@link #closeLoader}):
 * then {@code hasNext()} and {@code next()} throw {@link IllegalStateException}, so a consumer
 * never mistakes a close from another thread for the end of the epoch.
 *
 * @param <R> the batches yielded
 * @param <H> the loader's record of the epoch
 */
public final class EpochIterator<R, H extends EpochHooks> implements Iterator<R> {
  private final int epoch;
  private final TaskStream<R> stream;
  private final H hooks;
  private final Runnable onStop;
  private final LoaderMetrics metrics;
  private volatile boolean complete;
  private boolean stopped;
  private volatile String closedBy; // set when the loader was closed before this epoch ended

  /** The batch {@code hasNext()} holds for the next {@code next()}; guarded by this. */
  private final AtomicReference<Delivered<R>> pending = new AtomicReference<>();

  EpochIterator(int epoch, TaskStream<R> stream, H hooks, Runnable onStop, LoaderMetrics metrics) {
    this.epoch = epoch;
    this.stream = stream;
    this.hooks = hooks;
    this.onStop = onStop;
    this.metrics = metrics;
  }

  public int epoch() {
    return epoch;
  }

  /** The loader's record of this epoch. */
  public H hooks() {
    return hooks;
  }

  /** Whether every task was delivered (the epoch ran to its end). */
  public boolean isComplete() {
    return complete;
  }

  @Override
  public boolean hasNext() {
    while (true) {
      synchronized (this) {
        if (pending.get() != null) {
          return true;
        }
        if (stopped) {
          return endOrClosed();
        }
      }
      Delivered<R> d;
      try {
        d = stream.next();
      } catch (RuntimeException | Error e) {
        stop();
        endOrClosed(); // a close from another thread is reported as such, not as a failure
        throw e;
      }
      synchronized (this) {
        if (stopped) {
          if (d != null) {
            Closeables.closeQuietly(d.value());
          }
          return endOrClosed();
        }
        if (d == null) {
          complete = true;
        } else {
          hooks.arrived(d.task(), d.value() == null);
          if (d.value() == null) {
            continue; // skipped by the error policy
          }
          pending.set(d);
          return true;
        }
      }
      stop();
      return false;
    }
  }

  @Override
  public R next() {
    if (!hasNext()) {
      throw new NoSuchElementException("epoch " + epoch + " is over");
    }
    Delivered<R> d;
    synchronized (this) {
      d = pending.getAndSet(null);
    }
    metrics.batchesYielded.increment();
    hooks.yielded(d.task());
    return d.value();
  }

  /**
   * The slot of the batch {@code hasNext()} holds: the loader's cleaner closes what is in it when
   * the loader and this iterator became unreachable.
   */
  AtomicReference<Delivered<R>> heldSlot() {
    return pending;
  }

  /** False at the end of the epoch; throws when the loader was closed before it. */
  private boolean endOrClosed() {
    String why = closedBy;
    if (why != null && !complete) {
      throw new IllegalStateException(why);
    }
    return false;
  }

  /**
   * Stops this epoch because the loader closes (any thread): from then on {@code hasNext()} and
   * {@code next()} of an epoch that had not ended throw {@link IllegalStateException} with {@code
   * message}.
   */
  public void closeLoader(String message) {
    synchronized (this) {
      if (closedBy == null && !stopped) {
        closedBy = message;
      }
    }
    stop();
  }

  /**
   * Ends this epoch early or normally: cancels loading, closes what is in flight, releases the
   * epoch's workers. Idempotent; callable from any thread.
   */
  public void stop() {
    Delivered<R> p;
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
      p = pending.getAndSet(null);
    }
    if (p != null) {
      Closeables.closeQuietly(p.value());
    }
    stream.close();
    onStop.run();
    hooks.ended();
  }
}
