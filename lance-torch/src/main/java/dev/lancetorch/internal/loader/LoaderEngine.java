package dev.lancetorch.internal.loader;

import dev.lancetorch.internal.memory.Cleaners;
import dev.lancetorch.internal.read.PlannedReads;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * What {@code DataLoader} and {@code StreamingDataset} share: worker pools, the live epoch, the
 * task processor ({@link BatchTransform}), metrics and closing. A loader plans its epoch's tasks
 * (per worker) and keeps its own resume state in its {@link EpochHooks}; this engine runs them.
 *
 * <p>Workers ({@link Workers}): with a count of 0 tasks are loaded in the consumer's thread from
 * the source itself ({@link InlineStream}); otherwise by a {@link WorkerPool} ({@link EpochRun}),
 * one per epoch, or one for the loader's life when persistent. Only one epoch is live: a new one
 * abandons the previous (its batches in flight are closed). Over a source that shares reads ({@link
 * PlannedReads.Source}) the workers of an epoch share one read of it, and the next epoch's read can
 * be planned while one runs (its first window read after this epoch's last one).
 *
 * <p>Ownership: the engine never closes the source; worker handles are the pool's; the next epoch's
 * planned read is the engine's until an epoch adopts it. {@link #close()} drops that read, stops
 * the live epoch, every pool (bounded wait, see {@link WorkerPool#close(long, long)}; threads still
 * running are logged as one WARNING naming each) and the transform threads; a consumer still
 * iterating the live epoch then gets {@link IllegalStateException}. What must be released is held
 * apart from the loader ({@code Resources}), so a loader dropped without {@code close()} is closed
 * by lance-torch's cleaner ({@link #closeWhenUnreachable}); worker threads never reference the
 * loader or its epoch records.
 */
public final class LoaderEngine<R> implements AutoCloseable {
  private final String name;
  private final Workers workers;
  private final String threadPrefix = LoaderThreadNames.newPrefix();
  private final LoaderMetrics metrics;
  private final BatchTransform<R> transform;
  private final Resources resources;
  private Cleaner.Cleanable cleanable;
  private EpochIterator<R, ?> current;
  private boolean closing; // guarded by this

  /** The next epoch's shared read, planned while the live epoch runs, and the tasks it reads. */
  private record Follower(int epoch, List<List<LoaderTask>> perWorker, PlannedReads reads) {}

  /**
   * What the engine must release, apart from the loader: the pools, the live epoch's stream and the
   * batch its iterator holds, the next epoch's read, the transform threads, what the loader made
   * for itself. It references neither the loader nor its epoch records (the iterator's hooks), so
   * it can be the action of the loader's {@link Cleaner}: a loader dropped without {@code close()}
   * is closed after it becomes unreachable. Guarded by itself.
   */
  private static final class Resources implements Runnable {
    private final String name;
    private final BatchTransform<?> transform;
    private final List<WorkerPool<Object>> retiredPools = new ArrayList<>();
    private final List<AutoCloseable> owned = new ArrayList<>();
    private WorkerPool<Object> persistentPool;
    private WorkerPool<Object> livePool; // the live epoch's own pool (without persistent workers)
    private TaskStream<?> stream;
    private AtomicReference<? extends Delivered<?>> held;
    private Follower follower;
    private boolean closed;

    Resources(String name, BatchTransform<?> transform) {
      this.name = name;
      this.transform = transform;
    }

    /** Closes everything, once; the cleaner's action and the end of {@link #close()}. */
    @Override
    public void run() {
      TaskStream<?> live;
      Delivered<?> pending;
      List<WorkerPool<Object>> pools;
      List<AutoCloseable> mine;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        if (follower != null) {
          follower.reads().close();
          follower = null;
        }
        if (persistentPool != null) {
          retiredPools.add(persistentPool);
          persistentPool = null;
        }
        if (livePool != null && !retiredPools.contains(livePool)) {
          retiredPools.add(livePool);
        }
        livePool = null;
        live = stream;
        stream = null;
        pending = held == null ? null : held.getAndSet(null);
        held = null;
        pools = new ArrayList<>(retiredPools);
        retiredPools.clear();
        mine = new ArrayList<>(owned);
        owned.clear();
      }
      if (live != null) {
        live.close();
      }
      if (pending != null) {
        Closeables.closeQuietly(pending.value());
      }
      for (WorkerPool<Object> p : pools) {
        p.shutdown(); // every pool stops at once; then each is waited for (bounded) and interrupted
      }
      List<Thread> left = new ArrayList<>();
      for (WorkerPool<Object> p : pools) {
        left.addAll(
            p.close(WorkerPool.DEFAULT_GRACE_MILLIS, WorkerPool.DEFAULT_AFTER_INTERRUPT_MILLIS));
      }
      if (!left.isEmpty()) {
        LoggerFactory.getLogger("dev.lancetorch.loader")
            .atWarn()
            .log(() -> stillRunning(name, left));
      }
      transform.close();
      for (AutoCloseable c : mine) {
        Closeables.closeQuietly(c);
      }
    }

    /** An epoch's own pool, once that epoch stopped: its workers exit, close waits for them. */
    synchronized void retire(WorkerPool<Object> pool) {
      if (livePool == pool) {
        livePool = null;
      }
      pool.shutdown();
      retiredPools.removeIf(WorkerPool::isTerminated);
      retiredPools.add(pool);
    }
  }

  /**
   * @param name the loader's class name, for messages
   */
  public LoaderEngine(String name, Workers workers, TransformSpec<R> transform) {
    this.name = name;
    this.workers = workers;
    this.metrics = new LoaderMetrics(workers.count());
    this.transform = new BatchTransform<>(transform, threadPrefix, metrics);
    this.resources = new Resources(name, this.transform);
  }

  /**
   * Closes this engine's threads and batches once {@code loader} is unreachable (lance-torch's
   * {@link Cleaners#CLEANER}), unless {@link #close()} came first: the safety net for a loader
   * dropped without {@code close()}. Call once, with the loader that owns this engine.
   */
  public synchronized void closeWhenUnreachable(Object loader) {
    if (cleanable == null) {
      cleanable = Cleaners.CLEANER.register(loader, resources);
    }
  }

  /**
   * Closes {@code c} with the engine (at {@link #close()} or by the cleaner): what the loader made
   * for itself, e.g. the permutation over a table it was built on.
   */
  public void alsoClose(AutoCloseable c) {
    synchronized (resources) {
      resources.owned.add(c);
    }
  }

  public int numWorkers() {
    return workers.count();
  }

  public LoaderMetrics metrics() {
    return metrics;
  }

  /**
   * Starts an epoch over {@code perWorker} (one list per worker; with 0 workers, one list loaded
   * inline) and abandons the live one.
   *
   * @throws IllegalStateException if the loader is closed
   */
  public <H extends EpochHooks> EpochIterator<R, H> start(
      int epoch,
      List<List<LoaderTask>> perWorker,
      int prefetch,
      boolean inOrder,
      long timeoutNanos,
      H hooks) {
    return start(epoch, perWorker, prefetch, inOrder, timeoutNanos, hooks, null);
  }

  /**
   * Like {@link #start(int, List, int, boolean, long, EpochHooks)}; {@code next}, when not null,
   * are the tasks of epoch {@code epoch + 1} if it runs whole next: its shared read is planned now
   * and its first window read as soon as this epoch's last one is (within the same read-ahead
   * budget), so back-to-back epochs do not wait for their first window. If the next epoch started
   * differs (another epoch, a resume, other tasks), that read is dropped.
   */
  public synchronized <H extends EpochHooks> EpochIterator<R, H> start(
      int epoch,
      List<List<LoaderTask>> perWorker,
      int prefetch,
      boolean inOrder,
      long timeoutNanos,
      H hooks,
      List<List<LoaderTask>> next) {
    if (closing) {
      throw new IllegalStateException(name + " closed");
    }
    if (current != null) {
      current.stop();
    }
    PlannedReads adopted = adoptFollower(epoch, perWorker);
    EpochIterator<R, H> it;
    if (workers.count() == 0) {
      TaskStream<R> inline =
          new InlineStream<>(workers.source(), perWorker.get(0), transform, metrics);
      it = new EpochIterator<>(epoch, inline, hooks, () -> {}, metrics);
      setLive(inline, it);
    } else {
      EpochRun<Object, R> run =
          new EpochRun<>(
              perWorker,
              transform,
              prefetch,
              inOrder,
              timeoutNanos,
              metrics,
              workers.source(),
              adopted);
      WorkerPool<Object> pool = poolForEpoch();
      Resources r = resources; // the iterator's stop action must not hold the engine
      Runnable onStop = workers.persistent() ? () -> {} : () -> r.retire(pool);
      it = new EpochIterator<>(epoch, run, hooks, onStop, metrics);
      setLive(run, it);
      pool.start(run);
      run.planShared(); // its first window is read while the workers open their handles
      if (next != null) {
        PlannedReads reads = run.planFollower(next);
        synchronized (resources) {
          resources.follower = reads == null ? null : new Follower(epoch + 1, next, reads);
        }
      }
    }
    current = it;
    return it;
  }

  /**
   * The planned read of the next epoch when {@code epoch} is it and has the same tasks (then the
   * caller owns it), else null (a planned read that does not match is closed).
   */
  private PlannedReads adoptFollower(int epoch, List<List<LoaderTask>> perWorker) {
    Follower f;
    synchronized (resources) {
      f = resources.follower;
      resources.follower = null;
    }
    if (f == null) {
      return null;
    }
    if (f.epoch() == epoch && workers.count() > 0 && sameTasks(f.perWorker(), perWorker)) {
      return f.reads();
    }
    f.reads().close();
    return null;
  }

  private static boolean sameTasks(List<List<LoaderTask>> a, List<List<LoaderTask>> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int w = 0; w < a.size(); w++) {
      List<LoaderTask> x = a.get(w);
      List<LoaderTask> y = b.get(w);
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!java.util.Arrays.equals(x.get(i).offsets(), y.get(i).offsets())) {
          return false;
        }
      }
    }
    return true;
  }

  /** The live (or last) epoch, or null before the first. */
  public synchronized EpochIterator<R, ?> current() {
    return current;
  }

  /**
   * {@code tasks} dealt to {@code n} workers: task i to worker {@code i % n}. The lists are views
   * of {@code tasks} (nothing is copied: an epoch's tasks may be made when asked).
   */
  public static List<List<LoaderTask>> dealt(List<LoaderTask> tasks, int n) {
    return new ConsumerOrder.Dealt(tasks, n);
  }

  /** The live epoch's stream and the slot of the batch its iterator holds, for the cleaner. */
  private void setLive(TaskStream<?> stream, EpochIterator<R, ?> it) {
    synchronized (resources) {
      resources.stream = stream;
      resources.held = it.heldSlot();
    }
  }

  private WorkerPool<Object> poolForEpoch() {
    synchronized (resources) {
      if (!workers.persistent()) {
        resources.livePool = new WorkerPool<>(workers, threadPrefix);
        return resources.livePool;
      }
      if (resources.persistentPool == null) {
        resources.persistentPool = new WorkerPool<>(workers, threadPrefix);
      }
      return resources.persistentPool;
    }
  }

  /**
   * Stops the live epoch (its iterator then throws {@link IllegalStateException} instead of ending
   * as if the epoch were over), every worker pool and the transform threads, with bounded waits.
   * Batches already returned stay the caller's. Idempotent.
   */
  @Override
  public void close() {
    EpochIterator<R, ?> it;
    Cleaner.Cleanable c;
    synchronized (this) { // start() sees `closing` under the same lock: no epoch starts after it
      if (closing) {
        return;
      }
      closing = true;
      it = current;
      c = cleanable;
    }
    if (it != null) {
      it.closeLoader(
          name
              + " was closed (by thread '"
              + Thread.currentThread().getName()
              + "') before epoch "
              + it.epoch()
              + " ended: its iterator has no more batches");
    }
    if (c != null) {
      c.clean(); // runs the resources' close once, and unregisters it
    } else {
      resources.run();
    }
  }

  /**
   * What {@link #close()} leaves running: each thread and where it is (a transform or fetch
   * ignoring interrupts).
   */
  static String stillRunning(String name, List<Thread> threads) {
    StringBuilder b =
        new StringBuilder(name)
            .append(".close(): ")
            .append(threads.size())
            .append(
                " worker thread(s) still running after an interrupt (code that ignores interrupts);"
                    + " they end, and close their handles, when that code returns:");
    for (Thread t : threads) {
      StackTraceElement[] st = t.getStackTrace();
      b.append("\n  ")
          .append(t.getName())
          .append(" at ")
          .append(st.length > 0 ? st[0] : "(no frame)");
      for (int i = 1; i < Math.min(st.length, 4); i++) {
        b.append(" <- ").append(st[i]);
      }
    }
    return b.toString();
  }
}
