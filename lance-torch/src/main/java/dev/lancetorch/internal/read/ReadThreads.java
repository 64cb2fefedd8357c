package dev.lancetorch.internal.read;

import dev.lancetorch.internal.jni.ThreadCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The read planner's threads: one pool of daemon threads ({@code lancetorch-read-N}) for every
 * {@link WindowReader} of the process, of {@link ThreadCounts#readThreads()} threads (the cores
 * when the budget is off). Every loader worker's window reads share it, so the reads of all workers
 * together never run on more threads than that. Reads submitted here block on Lance's own IO and
 * decoding, never spin, and never submit reads themselves (no nested waits, so no deadlock).
 *
 * <p>Window threads ({@code lancetorch-window-N}, as many as windows are being read ahead, idle
 * ones end after 30 s) run the read-ahead of whole windows ({@link #window}); they only wait for
 * their reads on the read pool.
 *
 * <p>Ownership: the pool lives as long as the process (its threads are daemons and idle ones end
 * after 30 s); it holds no native memory.
 */
public final class ReadThreads {
  private static final class Holder {
    static final int THREADS = threadCount();
    static final ExecutorService POOL = newPool(THREADS, "lancetorch-read-");
  }

  /** Window threads: one per window being read ahead; they wait on the read pool, never spin. */
  private static final class Windows {
    static final ExecutorService POOL = newWindowPool();
  }

  /** Disk-cache fill threads: as many as read threads, idle ones end after 30 s. */
  private static final class Fills {
    static final ExecutorService POOL = newPool(Holder.THREADS, "lancetorch-cache-fill-");
  }

  private ReadThreads() {}

  /**
   * Runs a disk-cache fill (sequential scans of whole fragments) on the fill threads, sized by the
   * thread budget like the read pool.
   */
  public static Future<?> fill(Runnable fill) {
    return Fills.POOL.submit(fill);
  }

  /** The pool's size. */
  public static int threads() {
    return Holder.THREADS;
  }

  private static int threadCount() {
    ThreadCounts b = ThreadCounts.current();
    return b != null ? b.readThreads() : Runtime.getRuntime().availableProcessors();
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static ExecutorService newWindowPool() {
    java.util.concurrent.ThreadPoolExecutor pool =
        new java.util.concurrent.ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.SynchronousQueue<>(),
            daemons("lancetorch-window-"));
    return pool;
  }

  /**
   * Reads a window ahead on a window thread (its reads then run on the read pool, so a window
   * thread never takes a read thread: no nested wait inside the pool).
   */
  public static <T> Future<T> window(java.util.concurrent.Callable<T> read) {
    return Windows.POOL.submit(read);
  }

  /**
   * The result of a window read, waiting for it (uninterruptibly: the read writes into memory its
   * caller frees next); its failure is rethrown as it was.
   */
  public static <T> T await(Future<T> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable cause = e.getCause() != null ? e.getCause() : e;
          if (cause instanceof RuntimeException r) {
            throw r;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException("a window read failed", cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ExecutorService newPool(int threads, String prefix) {
    ThreadFactory f = daemons(prefix);
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
    for (Future<?> f : futures) {
      try {
        await(f); // every read is waited for, also after one failed
      } catch (RuntimeException | Error e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error err) {
      throw err;
    }
  }
}
