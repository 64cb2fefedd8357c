package dev.lancetorch.internal.loader;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One epoch of a loader, consumed by one thread: pulls the results of a {@link TaskStream}, skips
 * those its error policy dropped, reports each to the loader's {@link EpochHooks}.
 *
 * <p>Ownership: the batch {@code hasNext()} holds for the next {@code next()} is this iterator's
 * until returned; {@link #stop()} (any thread) closes it and the stream, which closes everything
 * not yet delivered. A failure of the stream stops the epoch and is rethrown; after stop, {@code
 * hasNext()} is false.
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
  private Delivered<R> pending;

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
        if (pending != null) {
          return true;
        }
        if (stopped) {
          return false;
        }
      }
      Delivered<R> d;
      try {
        d = stream.next();
      } catch (RuntimeException | Error e) {
        stop();
        throw e;
      }
      synchronized (this) {
        if (stopped) {
          if (d != null) {
            Closeables.closeQuietly(d.value());
          }
          return false;
        }
        if (d == null) {
          complete = true;
        } else {
          hooks.arrived(d.task(), d.value() == null);
          if (d.value() == null) {
            continue; // skipped by the error policy
          }
          pending = d;
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
      d = pending;
      pending = null;
    }
    metrics.batchesYielded.increment();
    hooks.yielded(d.task());
    return d.value();
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
      p = pending;
      pending = null;
    }
    if (p != null) {
      Closeables.closeQuietly(p.value());
    }
    stream.close();
    onStop.run();
    hooks.ended();
  }
}
