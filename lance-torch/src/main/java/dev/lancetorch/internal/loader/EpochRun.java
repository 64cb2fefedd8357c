package dev.lancetorch.internal.loader;

import dev.lancetorch.internal.read.PlannedReads;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One epoch loaded by worker threads. Worker {@code w} loads its task list in order, holding at
 * most {@code prefetch} results at a time (a permit is taken before each fetch and given back when
 * the consumer takes the result), so at most workers × prefetch batches are in memory.
 *
 * <p>In order: the consumer takes results round-robin over the workers that still have tasks, which
 * for a round-robin assignment is exactly the task order; results that arrive early wait in
 * per-worker buffers. Out of order: the consumer takes whichever result is ready first.
 *
 * <p>Ownership: a result belongs to this run until {@link #next()} returns it, then to the
 * consumer. {@link #close()} (any thread) stops workers at their next task and closes every
 * undelivered result: those queued, those buffered, and those a worker finishes after the close.
 */
public final class EpochRun<B, R> implements TaskStream<R> {
  private static final long POLL_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private record Item<R>(
      int worker, LoaderTask task, CompletableFuture<R> result, Throwable error) {}

  private final List<List<LoaderTask>> perWorker;
  private final TaskProcessor<B, R> processor;
  private final boolean inOrder;
  private final long timeoutNanos;
  private final LoaderMetrics metrics;
  private final Semaphore[] permits;
  private final LinkedBlockingQueue<Item<R>> ready = new LinkedBlockingQueue<>();
  private final ArrayDeque<Item<R>>[] buffers;
  private final int[] consumed;
  private final int total;
  private final ReentrantLock consumerLock = new ReentrantLock();
  private int delivered;
  private int cursor;
  private volatile boolean cancelled;
  private final PlannedReads.Source sharer;
  private final ConsumerOrder planIndex;
  private final java.util.concurrent.atomic.AtomicInteger workersLeft;
  private boolean sharePlanned;
  private PlannedReads shared;

  /**
   * @param source the loader's source: when it can share reads ({@link PlannedReads.Source}), one
   *     read of the epoch's batches serves every worker; otherwise each worker plans its own share
   *     on its handle ({@link RowSource#planReads})
   * @param adopted this epoch's shared read, planned ahead by the previous epoch ({@link
   *     #planFollower}), owned by this run from now on; or null
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public EpochRun(
      List<List<LoaderTask>> perWorker,
      TaskProcessor<B, R> processor,
      int prefetch,
      boolean inOrder,
      long timeoutNanos,
      LoaderMetrics metrics,
      RowSource<?> source,
      PlannedReads adopted) {
    this.perWorker = perWorker;
    this.sharer = source instanceof PlannedReads.Source s ? s : null;
    this.planIndex = sharer == null ? null : ConsumerOrder.of(perWorker);
    this.workersLeft = new java.util.concurrent.atomic.AtomicInteger(perWorker.size());
    if (adopted != null) {
      this.sharePlanned = true;
      this.shared = adopted;
    }
    this.processor = processor;
    this.inOrder = inOrder;
    this.timeoutNanos = timeoutNanos <= 0 ? Long.MAX_VALUE : timeoutNanos;
    this.metrics = metrics;
    int n = perWorker.size();
    permits = new Semaphore[n];
    buffers = new ArrayDeque[n];
    consumed = new int[n];
    int t = 0;
    for (int w = 0; w < n; w++) {
      permits[w] = new Semaphore(prefetch);
      buffers[w] = new ArrayDeque<>();
      t += perWorker.get(w).size();
    }
    total = t;
  }

  /**
   * Worker side: loads worker {@code w}'s tasks with its own handle (null when opening it failed).
   */
  void work(int w, RowSource<B> handle, Throwable openError) {
    try {
      if (openError != null) {
        workTasks(w, handle, openError);
        return;
      }
      PlannedReads s = sharedReads();
      if (s != null) {
        workTasks(
            w,
            new SharedHandle<>(handle, s, j -> planIndex.index(w, j), sharer.planHandle(handle)),
            null);
        return;
      }
      if (cancelled) {
        return; // no plan for an epoch already stopped
      }
      handle.planReads(ConsumerOrder.offsetsOf(perWorker.get(w)));
      try {
        workTasks(w, handle, null);
      } finally {
        handle.planReads(java.util.List.of());
      }
    } finally {
      if (workersLeft.decrementAndGet() == 0) {
        closeShared(); // every worker is done with it: free what no one took
      }
    }
  }

  /**
   * Plans the epoch's shared read now (the loader calls it on its own thread right after starting
   * the workers, so the first window is read while they open their handles); a no-op when it does
   * not apply or was done.
   */
  void planShared() {
    sharedReads();
  }

  /** The epoch's shared read, made by the first caller; null when it does not apply. */
  private synchronized PlannedReads sharedReads() {
    if (sharer == null || cancelled) {
      return null;
    }
    if (!sharePlanned) {
      sharePlanned = true;
      try {
        shared = sharer.share(planIndex.offsets(), perWorker.size(), null);
      } catch (RuntimeException e) {
        shared = null; // each worker then reads its own, and reports what is wrong per batch
      }
    }
    return shared;
  }

  /**
   * A shared read of the next epoch's tasks (same workers), read after this epoch's: its first
   * window once this epoch's last window is read. Owned by the caller (who hands it to that epoch's
   * run); null when this epoch has no shared read or that one cannot be planned.
   */
  PlannedReads planFollower(List<List<LoaderTask>> next) {
    PlannedReads mine = sharedReads();
    if (mine == null || next.size() != perWorker.size()) {
      return null;
    }
    try {
      return sharer.share(ConsumerOrder.of(next).offsets(), next.size(), mine);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void closeShared() {
    PlannedReads s;
    synchronized (this) {
      s = shared;
      shared = null;
    }
    if (s != null) {
      s.close();
    }
  }

  private void workTasks(int w, RowSource<B> handle, Throwable openError) {
    List<LoaderTask> tasks = perWorker.get(w);
    for (int j = 0; j < tasks.size(); j++) {
      LoaderTask task = tasks.get(j);
      if (handle instanceof SharedHandle<B> shared) {
        shared.expect(j, task.offsets());
      }
      try {
        permits[w].acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (cancelled) {
        return;
      }
      Item<R> item;
      if (openError != null) {
        item = new Item<>(w, task, null, openError);
      } else {
        try {
          item = new Item<>(w, task, processor.process(handle, task), null);
        } catch (Throwable t) {
          item = new Item<>(w, task, null, t);
        }
      }
      metrics.queueDepth.incrementAndGet();
      ready.add(item);
      if (cancelled) {
        drainReady();
        return;
      }
      if (item.error() != null) {
        return; // the consumer will raise it; nothing after it of this worker would be delivered
      }
    }
  }

  @Override
  public Delivered<R> next() {
    consumerLock.lock();
    try {
      if (cancelled) {
        throw new IllegalStateException("loader closed");
      }
      if (delivered >= total) {
        return null;
      }
      long start = System.nanoTime();
      long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : start + timeoutNanos;
      Item<R> item;
      if (inOrder) {
        int w = nextWorkerInOrder();
        LoaderTask expected = perWorker.get(w).get(consumed[w]);
        while (buffers[w].isEmpty()) {
          Item<R> it = pollReady(deadline, expected);
          buffers[it.worker()].add(it);
        }
        item = buffers[w].poll();
      } else {
        item = pollReady(deadline, oldestOutstanding());
      }
      metrics.queueDepth.decrementAndGet();
      consumed[item.worker()]++;
      delivered++;
      try {
        if (item.error() != null) {
          throw BatchFailures.of(processor.failures(), item.task(), item.error());
        }
        R value = await(item, deadline);
        metrics.waited(item.worker(), System.nanoTime() - start);
        return new Delivered<>(item.task(), value);
      } finally {
        permits[item.worker()].release();
      }
    } finally {
      if (cancelled) {
        closeBuffers();
      }
      consumerLock.unlock();
    }
  }

  private int nextWorkerInOrder() {
    int n = perWorker.size();
    for (int i = 0; i < n; i++) {
      int w = (cursor + i) % n;
      if (consumed[w] < perWorker.get(w).size()) {
        cursor = (w + 1) % n;
        return w;
      }
    }
    throw new IllegalStateException("no task left");
  }

  private LoaderTask oldestOutstanding() {
    LoaderTask best = null;
    for (int w = 0; w < perWorker.size(); w++) {
      if (consumed[w] < perWorker.get(w).size()) {
        LoaderTask t = perWorker.get(w).get(consumed[w]);
        if (best == null || t.position().batchIndex() < best.position().batchIndex()) {
          best = t;
        }
      }
    }
    return best;
  }

  private Item<R> pollReady(long deadline, LoaderTask waitingFor) {
    while (true) {
      if (cancelled) {
        throw new IllegalStateException("loader closed");
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw timeout(waitingFor);
      }
      try {
        Item<R> it = ready.poll(Math.min(left, POLL_SLICE_NANOS), TimeUnit.NANOSECONDS);
        if (it != null) {
          return it;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw processor
            .failures()
            .failed(
                "interrupted while waiting for a batch",
                waitingFor == null ? null : waitingFor.position(),
                e);
      }
    }
  }

  private R await(Item<R> item, long deadline) {
    CompletableFuture<R> f = item.result();
    while (true) {
      if (cancelled) {
        Closeables.closeWhenDone(f);
        throw new IllegalStateException("loader closed");
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        Closeables.closeWhenDone(f);
        throw timeout(item.task());
      }
      try {
        return f.get(Math.min(left, POLL_SLICE_NANOS), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        // next slice
      } catch (ExecutionException e) {
        throw BatchFailures.of(processor.failures(), item.task(), e.getCause());
      } catch (InterruptedException e) {
        Closeables.closeWhenDone(f);
        Thread.currentThread().interrupt();
        throw processor
            .failures()
            .failed("interrupted while waiting for a batch", item.task().position(), e);
      }
    }
  }

  private RuntimeException timeout(LoaderTask waitingFor) {
    TaskPosition pos = waitingFor == null ? null : waitingFor.position();
    long ms = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
    return processor
        .failures()
        .failed(
            "no batch within the " + ms + " ms timeout",
            pos,
            new TimeoutException("batch " + pos + " not ready after " + ms + " ms"));
  }

  @Override
  public void close() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    closeShared();
    for (Semaphore p : permits) {
      p.release(1 << 20); // wake workers blocked on a permit; they see `cancelled` and stop
    }
    drainReady();
    if (consumerLock.tryLock()) {
      try {
        closeBuffers();
      } finally {
        consumerLock.unlock();
      }
    } // else the consumer is inside next() and closes the buffers on its way out
  }

  private void drainReady() {
    Item<R> it;
    while ((it = ready.poll()) != null) {
      metrics.queueDepth.decrementAndGet();
      Closeables.closeWhenDone(it.result());
    }
  }

  private void closeBuffers() {
    for (ArrayDeque<Item<R>> b : buffers) {
      Item<R> it;
      while ((it = b.poll()) != null) {
        metrics.queueDepth.decrementAndGet();
        Closeables.closeWhenDone(it.result());
      }
    }
  }
}
