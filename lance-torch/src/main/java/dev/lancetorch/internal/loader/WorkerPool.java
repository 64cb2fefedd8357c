package dev.lancetorch.internal.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Daemon worker threads named {@code <namePrefix>-worker-<n>}. Each thread opens its own handle
 * with {@link RowSource#reopen()} once, runs {@link WorkerStart}, then works on the epochs handed
 * to it one after another, and closes its handle when the pool closes. The pool never closes the
 * source it was given.
 */
public final class WorkerPool<B> implements AutoCloseable {
  private static final Object POISON = new Object();

  /** How long {@link #close()} lets a worker finish the task in progress before interrupting it. */
  public static final long DEFAULT_GRACE_MILLIS = 200;

  /**
   * How long {@link #close()} then waits for interrupted workers before reporting them as still
   * running.
   */
  public static final long DEFAULT_AFTER_INTERRUPT_MILLIS = 1_000;

  private final Thread[] threads;
  private final LinkedBlockingQueue<Object>[] inboxes;
  private volatile boolean closed;

  @SuppressWarnings({"unchecked", "rawtypes"})
  public WorkerPool(Workers workers, String namePrefix) {
    RowSource<B> source = (RowSource<B>) workers.source();
    long seed = workers.seed();
    WorkerStart init = workers.init();
    int numWorkers = workers.count();
    threads = new Thread[numWorkers];
    inboxes = new LinkedBlockingQueue[numWorkers];
    for (int w = 0; w < numWorkers; w++) {
      int id = w;
      LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
      inboxes[w] = inbox;
      Thread t = new Thread(() -> loop(source, id, seed, init, inbox), namePrefix + "-worker-" + w);
      t.setDaemon(true);
      threads[w] = t;
    }
    for (Thread t : threads) {
      t.start();
    }
  }

  public boolean isTerminated() {
    for (Thread t : threads) {
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Hands one epoch to every worker; each starts it after finishing (or abandoning) the previous
   * one.
   */
  public void start(EpochRun<B, ?> run) {
    if (closed) {
      throw new IllegalStateException("worker pool closed");
    }
    for (LinkedBlockingQueue<Object> inbox : inboxes) {
      inbox.add(run);
    }
  }

  @SuppressWarnings("unchecked")
  private static <B> void loop(
      RowSource<B> source, int id, long seed, WorkerStart init, LinkedBlockingQueue<Object> inbox) {
    RowSource<B> handle = null;
    Throwable openError = null;
    try {
      handle = source.reopen();
      if (init != null) {
        init.init(id, seed + id);
      }
    } catch (Throwable t) {
      openError = t;
    }
    try {
      while (true) {
        Object m = inbox.take();
        if (m == POISON) {
          return;
        }
        ((EpochRun<B, ?>) m).work(id, handle, openError);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (handle != null) {
        try {
          handle.close();
        } catch (RuntimeException e) {
          LoggerFactory.getLogger("dev.lancetorch.loader")
              .warn("closing a worker handle failed", e);
        }
      }
    }
  }

  /** Asks every worker to stop after its current epoch and close its handle; does not wait. */
  public void shutdown() {
    if (closed) {
      return;
    }
    closed = true;
    for (LinkedBlockingQueue<Object> inbox : inboxes) {
      inbox.add(POISON);
    }
  }

  /**
   * Asks every worker to stop after its current epoch (cancel that epoch first to make it prompt),
   * gives them {@code graceMillis} to finish the task in progress, interrupts the rest and waits up
   * to {@code afterInterruptMillis} more. Returns the threads still running then (code that ignores
   * interrupts); they stay daemon threads that close their handle when they end.
   */
  public List<Thread> close(long graceMillis, long afterInterruptMillis) {
    shutdown();
    if (!joinAll(graceMillis)) {
      for (Thread t : threads) {
        if (t.isAlive()) {
          t.interrupt();
        }
      }
      joinAll(afterInterruptMillis);
    }
    List<Thread> alive = new ArrayList<>();
    for (Thread t : threads) {
      if (t.isAlive()) {
        alive.add(t);
      }
    }
    return alive;
  }

  /** Waits up to {@code millis} for every thread; true when all ended. */
  private boolean joinAll(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      try {
        if (left > 0) {
          TimeUnit.NANOSECONDS.timedJoin(t, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return isTerminated();
  }

  @Override
  public void close() {
    close(DEFAULT_GRACE_MILLIS, DEFAULT_AFTER_INTERRUPT_MILLIS);
  }
}
