package dev.lancetorch.loader;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Test source: row i is the id i. Batches are {@link TestBatch}es counted while open, handles are
 * counted while open; optional per-fetch latency, a gate that holds every fetch, and injected
 * failures.
 */
final class InMemorySource implements BatchSource<InMemorySource.TestBatch> {
  /** Shared by a source and all its reopened handles. */
  static final class Shared {
    final AtomicInteger liveBatches = new AtomicInteger();
    final AtomicInteger openHandles = new AtomicInteger();
    final AtomicInteger reopens = new AtomicInteger();
    final AtomicInteger fetches = new AtomicInteger();
    final AtomicInteger doubleCloses = new AtomicInteger();
    volatile java.util.function.ToLongFunction<long[]> latencyMicros = o -> 0;
    volatile Predicate<long[]> failWhen = o -> false;
    volatile CountDownLatch gate; // when set, fetches wait for it
  }

  /** A batch of row ids; closing it twice is an error the test sees. */
  static final class TestBatch implements AutoCloseable {
    final long[] ids;
    private final Shared shared;
    private final AtomicInteger closed = new AtomicInteger();

    TestBatch(long[] ids, Shared shared) {
      this.ids = ids;
      this.shared = shared;
      shared.liveBatches.incrementAndGet();
    }

    @Override
    public void close() {
      if (closed.getAndIncrement() != 0) {
        shared.doubleCloses.incrementAndGet();
        throw new IllegalStateException("batch closed twice");
      }
      shared.liveBatches.decrementAndGet();
    }

    @Override
    public String toString() {
      return Arrays.toString(ids);
    }
  }

  final Shared shared;
  private final long numRows;
  private volatile boolean closed;
  private boolean isHandle;

  InMemorySource(long numRows) {
    this(numRows, new Shared());
  }

  private InMemorySource(long numRows, Shared shared) {
    this.numRows = numRows;
    this.shared = shared;
  }

  @Override
  public long numRows() {
    return numRows;
  }

  @Override
  public TestBatch takeOffsets(long[] offsets) {
    if (closed) {
      throw new IllegalStateException("handle closed");
    }
    shared.fetches.incrementAndGet();
    CountDownLatch g = shared.gate;
    if (g != null) {
      try {
        g.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    long lat = shared.latencyMicros.applyAsLong(offsets);
    if (lat > 0) {
      long end = System.nanoTime() + lat * 1000;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
    }
    if (shared.failWhen.test(offsets)) {
      throw new IllegalStateException("injected failure at " + Arrays.toString(offsets));
    }
    for (long o : offsets) {
      if (o < 0 || o >= numRows) {
        throw new IndexOutOfBoundsException("offset " + o);
      }
    }
    return new TestBatch(offsets.clone(), shared);
  }

  @Override
  public BatchSource<TestBatch> reopen() {
    shared.reopens.incrementAndGet();
    shared.openHandles.incrementAndGet();
    InMemorySource handle = new InMemorySource(numRows, shared);
    handle.isHandle = true;
    return handle;
  }

  @Override
  public long sizeInBytes(TestBatch batch) {
    return 8L * batch.ids.length;
  }

  @Override
  public void close() {
    if (isHandle && !closed) {
      shared.openHandles.decrementAndGet();
    }
    closed = true;
  }
}
