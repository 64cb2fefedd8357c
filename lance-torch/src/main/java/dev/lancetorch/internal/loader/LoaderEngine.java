package dev.lancetorch.internal.loader;

import java.util.ArrayList;
import java.util.List;
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
 * SharedReads.Source}) the workers of an epoch share one read of it, and the next epoch's read can
 * be planned while one runs (its first window read after this epoch's last one).
 *
 * <p>Ownership: the engine never closes the source; worker handles are the pool's; the next epoch's
 * planned read is the engine's until an epoch adopts it. {@link #close()} drops that read, stops
 * the live epoch, every pool (bounded wait, see {@link WorkerPool#close(long, long)}; threads still
 * running are logged as one WARNING naming each) and the transform threads.
 */
public final class LoaderEngine<R> implements AutoCloseable {
  private final String name;
  private final Workers workers;
  private final String threadPrefix = LoaderThreadNames.newPrefix();
  private final LoaderMetrics metrics = new LoaderMetrics();
  private final BatchTransform<R> transform;
  private final List<WorkerPool<Object>> retiredPools = new ArrayList<>();
  private WorkerPool<Object> persistentPool;
  private EpochIterator<R, ?> current;
  private Follower follower;
  private boolean closed;

  /** The next epoch's shared read, planned while the live epoch runs, and the tasks it reads. */
  private record Follower(int epoch, List<List<LoaderTask>> perWorker, SharedReads reads) {}

  /**
   * @param name the loader's class name, for messages
   */
  public LoaderEngine(String name, Workers workers, TransformSpec<R> transform) {
    this.name = name;
    this.workers = workers;
    this.transform = new BatchTransform<>(transform, threadPrefix, metrics);
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
    if (closed) {
      throw new IllegalStateException(name + " closed");
    }
    if (current != null) {
      current.stop();
    }
    SharedReads adopted = adoptFollower(epoch, perWorker);
    EpochIterator<R, H> it;
    if (workers.count() == 0) {
      TaskStream<R> inline = new InlineStream<>(workers.source(), perWorker.get(0), transform);
      it = new EpochIterator<>(epoch, inline, hooks, () -> {}, metrics);
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
      Runnable onStop = workers.persistent() ? () -> {} : () -> retire(pool);
      it = new EpochIterator<>(epoch, run, hooks, onStop, metrics);
      pool.start(run);
      run.planShared(); // its first window is read while the workers open their handles
      if (next != null) {
        SharedReads reads = run.planFollower(next);
        follower = reads == null ? null : new Follower(epoch + 1, next, reads);
      }
    }
    current = it;
    return it;
  }

  /**
   * The planned read of the next epoch when {@code epoch} is it and has the same tasks (then the
   * caller owns it), else null (a planned read that does not match is closed).
   */
  private SharedReads adoptFollower(int epoch, List<List<LoaderTask>> perWorker) {
    Follower f = follower;
    follower = null;
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

  /** {@code tasks} dealt to {@code n} workers: task i to worker {@code i % n}. */
  public static List<List<LoaderTask>> dealt(List<LoaderTask> tasks, int n) {
    List<List<LoaderTask>> perWorker = new ArrayList<>();
    for (int w = 0; w < Math.max(1, n); w++) {
      perWorker.add(new ArrayList<>());
    }
    for (int i = 0; i < tasks.size(); i++) {
      perWorker.get(i % perWorker.size()).add(tasks.get(i));
    }
    return perWorker;
  }

  private WorkerPool<Object> poolForEpoch() {
    if (!workers.persistent()) {
      return new WorkerPool<>(workers, threadPrefix);
    }
    if (persistentPool == null) {
      persistentPool = new WorkerPool<>(workers, threadPrefix);
    }
    return persistentPool;
  }

  /** An epoch's own pool, once that epoch stopped: its workers exit, close() waits for them. */
  private synchronized void retire(WorkerPool<Object> pool) {
    pool.shutdown();
    retiredPools.removeIf(WorkerPool::isTerminated);
    retiredPools.add(pool);
  }

  /**
   * Stops the live epoch, every worker pool and the transform threads, with bounded waits. Batches
   * already returned stay the caller's. Idempotent.
   */
  @Override
  public void close() {
    EpochIterator<R, ?> it;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      it = current;
      if (follower != null) {
        follower.reads().close();
        follower = null;
      }
      if (persistentPool != null) {
        retiredPools.add(persistentPool);
        persistentPool = null;
      }
    }
    if (it != null) {
      it.stop();
    }
    List<WorkerPool<Object>> pools;
    synchronized (this) {
      pools = new ArrayList<>(retiredPools);
      retiredPools.clear();
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
      LoggerFactory.getLogger("dev.lancetorch.loader").atWarn().log(() -> stillRunning(left));
    }
    transform.close();
  }

  /**
   * What {@link #close()} leaves running: each thread and where it is (a transform or fetch
   * ignoring interrupts).
   */
  String stillRunning(List<Thread> threads) {
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
