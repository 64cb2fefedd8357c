package dev.lancetorch.loader;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Daemon worker threads named {@code <namePrefix>-worker-<n>}. Each thread opens its own handle with
 * {@link BatchSource#reopen()} once, runs {@link WorkerInit}, then works on the epochs handed to it one
 * after another, and closes its handle when the pool closes. The pool never closes the source it was given.
 */
final class WorkerPool<B> implements AutoCloseable {
  private static final Object POISON = new Object();

  private final Thread[] threads;
  private final LinkedBlockingQueue<Object>[] inboxes;
  private volatile boolean closed;

  @SuppressWarnings({"unchecked", "rawtypes"})
  WorkerPool(BatchSource<B> source, int numWorkers, String namePrefix, long seed, WorkerInit init) {
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

  boolean isTerminated() {
    for (Thread t : threads) {
      if (t.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** Hands one epoch to every worker; each starts it after finishing (or abandoning) the previous one. */
  void start(EpochRun<B, ?> run) {
    if (closed) {
      throw new IllegalStateException("worker pool closed");
    }
    for (LinkedBlockingQueue<Object> inbox : inboxes) {
      inbox.add(run);
    }
  }

  @SuppressWarnings("unchecked")
  private static <B> void loop(BatchSource<B> source, int id, long seed, WorkerInit init,
      LinkedBlockingQueue<Object> inbox) {
    BatchSource<B> handle = null;
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
          System.getLogger("dev.lancetorch.loader").log(System.Logger.Level.WARNING, "closing a worker handle failed", e);
        }
      }
    }
  }

  /** Asks every worker to stop after its current epoch and close its handle; does not wait. */
  void shutdown() {
    if (closed) {
      return;
    }
    closed = true;
    for (LinkedBlockingQueue<Object> inbox : inboxes) {
      inbox.add(POISON);
    }
  }

  /**
   * Asks every worker to stop after its current epoch (cancel that epoch first to make it prompt) and
   * waits up to {@code waitMillis} for them; stragglers are interrupted.
   */
  void close(long waitMillis) {
    shutdown();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    for (Thread t : threads) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      try {
        if (left > 0) {
          t.join(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Thread t : threads) {
      if (t.isAlive()) {
        t.interrupt();
      }
    }
  }

  @Override
  public void close() {
    close(10_000);
  }
}
