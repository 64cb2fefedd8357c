package dev.lancetorch.internal.read;

import dev.lancetorch.torch.ThreadBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The read planner's threads: one pool of daemon threads ({@code lancetorch-read-N}) for every
 * {@link WindowReader} of the process, of {@link ThreadBudget#readThreads()} threads (the cores
 * when the budget is off). Every loader worker's window reads share it, so the reads of all workers
 * together never run on more threads than that. Reads submitted here block on Lance's own IO and
 * decoding, never spin, and never submit reads themselves (no nested waits, so no deadlock).
 *
 * <p>Ownership: the pool lives as long as the process (its threads are daemons and idle ones end
 * after 30 s); it holds no native memory.
 */
public final class ReadThreads {
  private static final class Holder {
    static final int THREADS = threadCount();
    static final ExecutorService POOL = newPool(THREADS);
  }

  private ReadThreads() {}

  /** The pool's size. */
  public static int threads() {
    return Holder.THREADS;
  }

  private static int threadCount() {
    ThreadBudget b = ThreadBudget.current();
    return b != null ? b.readThreads() : Runtime.getRuntime().availableProcessors();
  }

  private static ExecutorService newPool(int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory f =
        r -> {
          Thread t = new Thread(r, "lancetorch-read-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    java.util.concurrent.ThreadPoolExecutor pool =
        new java.util.concurrent.ThreadPoolExecutor(
            threads,
            threads,
            30,
            java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>(),
            f);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * Runs every read on the pool and waits for all of them, also after one failed (so no read still
   * writes into memory the caller frees next); rethrows the first failure with the others
   * suppressed. With one read, runs it on the calling thread.
   */
  public static void runAll(List<Runnable> reads) {
    if (reads.size() == 1) {
      reads.get(0).run();
      return;
    }
    List<Future<?>> futures = new ArrayList<>(reads.size());
    for (Runnable r : reads) {
      futures.add(Holder.POOL.submit(r));
    }
    Throwable failure = null;
    boolean interrupted = false;
    for (Future<?> f : futures) {
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // keep waiting: the reads write into the caller's gather
        } catch (java.util.concurrent.ExecutionException | CompletionException e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    if (failure != null) {
      throw new IllegalStateException("a read failed", failure);
    }
  }
}
