package dev.lancetorch.internal.loader;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * The loaders' one task processor: fetches a task's rows from the worker's handle, then applies the
 * transform (a {@code DataLoader}'s collate, a {@code StreamingDataset}'s transform) under its
 * error policy ({@link TransformSpec.OnError}, the loader's {@code TransformErrorHandler}), in the
 * worker thread or on {@code parallelism} transform threads.
 *
 * <p>Errors: with {@link TransformSpec.OnError#RAISE} the transform's exception fails the batch (a
 * {@link TransformFailure}, which the epoch turns into the loader's failure ({@link
 * LoaderFailures}: a {@code DataLoaderException}) naming the batch, with the transform's exception
 * as cause). A handler returning null skips the failing rows as LanceDB does: the transform runs
 * again on each row alone, rows failing alone are dropped (counted in {@code rowsSkipped}; {@link
 * TransformSpec.OnError#WARN} logs their offsets), the others are taken again as one batch and
 * transformed; a task whose every row fails completes with null (skipped).
 *
 * <p>Ownership: the fetched batch is the transform's from the call on (it closes or returns it,
 * also when it throws); this class never touches it afterwards. A batch fetched but not handed to
 * the transform (its thread pool refused it) is closed here.
 */
public final class BatchTransform<R> implements TaskProcessor<Object, R>, AutoCloseable {
  private final Function<Object, R> fn;
  private final TransformSpec.OnError onError;
  private final TransformSpec.ErrorHandler<R> handler;
  private final LoaderFailures failures;
  private final LoaderMetrics metrics;
  private final ExecutorService pool;

  /**
   * @param threadPrefix names the transform threads {@code <threadPrefix>-transform-<n>}
   */
  public BatchTransform(TransformSpec<R> spec, String threadPrefix, LoaderMetrics metrics) {
    this.fn = spec.fn();
    this.onError = spec.onError();
    this.handler = spec.handler();
    this.failures = spec.failures();
    this.metrics = metrics;
    this.pool = spec.parallelism() > 0 ? threads(spec.parallelism(), threadPrefix) : null;
  }

  @Override
  public LoaderFailures failures() {
    return failures;
  }

  private static ExecutorService threads(int n, String threadPrefix) {
    AtomicInteger made = new AtomicInteger();
    return Executors.newFixedThreadPool(
        n,
        r -> {
          Thread t = new Thread(r, threadPrefix + "-transform-" + made.getAndIncrement());
          t.setDaemon(true);
          return t;
        });
  }

  @Override
  public CompletableFuture<R> process(RowSource<Object> handle, LoaderTask task) {
    Object raw;
    synchronized (handle) { // a transform thread may take single rows from it (withoutFailingRows)
      raw = metrics.timedFetch(handle, task.offsets());
    }
    if (pool == null) {
      return CompletableFuture.completedFuture(apply(handle, raw, task));
    }
    try {
      return CompletableFuture.supplyAsync(() -> apply(handle, raw, task), pool);
    } catch (RejectedExecutionException e) {
      Closeables.closeQuietly(raw);
      throw e;
    }
  }

  private R apply(RowSource<Object> handle, Object raw, LoaderTask task) {
    long t0 = System.nanoTime();
    R out;
    try {
      out = fn.apply(raw);
    } catch (RuntimeException e) {
      // the input stays the transform's: it owned it when it threw
      out = handle(e, task.position());
      if (out == null) {
        out = withoutFailingRows(handle, task, e);
      }
    }
    metrics.transformNanos.add(System.nanoTime() - t0);
    return out;
  }

  private R handle(RuntimeException e, TaskPosition position) {
    if (onError == TransformSpec.OnError.RAISE) {
      throw new TransformFailure("the transform failed", e);
    }
    try {
      return handler.onError(e, position);
    } catch (RuntimeException fromHandler) {
      throw new TransformFailure("the transform failed and its error handler threw", fromHandler);
    }
  }

  /**
   * After a batch's transform failed and the policy skips: as LanceDB, the transform runs again on
   * each row alone (taken again from the worker's handle; its outputs are closed) and only the rows
   * that fail alone are dropped and counted as skipped; the other rows are taken again as one batch
   * and transformed. The transform must be deterministic (as in LanceDB); if it then fails on the
   * rows that passed alone, the batch fails.
   *
   * @return the batch of the surviving rows, or null when every row failed
   */
  private R withoutFailingRows(RowSource<Object> handle, LoaderTask task, RuntimeException error) {
    long[] offsets = task.offsets();
    long[] keep = new long[offsets.length];
    int kept = 0;
    for (long offset : offsets) {
      Object one;
      synchronized (handle) {
        one = handle.takeOffsets(new long[] {offset});
      }
      try {
        Closeables.closeQuietly(fn.apply(one));
        keep[kept++] = offset;
      } catch (RuntimeException rowError) {
        // this row fails alone: dropped
      }
    }
    int skipped = offsets.length - kept;
    metrics.rowsSkipped.add(skipped);
    if (onError == TransformSpec.OnError.WARN) {
      String failed = Arrays.toString(failing(offsets, keep, kept));
      LoggerFactory.getLogger("dev.lancetorch.loader")
          .atWarn()
          .setCause(error)
          .log(
              () ->
                  "transform failed; dropped the "
                      + skipped
                      + " row(s) failing alone, at offsets "
                      + failed
                      + ", batch at "
                      + task.position());
    }
    if (kept == 0) {
      return null;
    }
    Object rest;
    synchronized (handle) {
      rest = handle.takeOffsets(Arrays.copyOf(keep, kept));
    }
    try {
      return fn.apply(rest);
    } catch (RuntimeException e) {
      throw new TransformFailure(
          "the transform failed on the "
              + kept
              + " row(s) that passed alone (it must be deterministic)",
          e);
    }
  }

  /** The offsets not kept, in batch order. */
  private static long[] failing(long[] offsets, long[] keep, int kept) {
    long[] out = new long[offsets.length - kept];
    int k = 0;
    int o = 0;
    for (long offset : offsets) {
      if (k < kept && keep[k] == offset) {
        k++;
      } else {
        out[o++] = offset;
      }
    }
    return out;
  }

  /** Stops the transform threads; queued transforms still run, so their inputs get closed. */
  @Override
  public void close() {
    if (pool == null) {
      return;
    }
    pool.shutdown();
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
