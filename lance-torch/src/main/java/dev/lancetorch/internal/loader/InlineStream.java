package dev.lancetorch.internal.loader;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** numWorkers == 0: every task is loaded in the consumer's thread, from the loader's own source. */
public final class InlineStream<B, R> implements TaskStream<R> {
  private final RowSource<B> source;
  private final List<LoaderTask> tasks;
  private final TaskProcessor<B, R> processor;
  private final LoaderMetrics metrics;
  private int next;
  private volatile boolean closed;

  public InlineStream(
      RowSource<B> source,
      List<LoaderTask> tasks,
      TaskProcessor<B, R> processor,
      LoaderMetrics metrics) {
    this.metrics = metrics;
    this.source = source;
    this.tasks = tasks;
    this.processor = processor;
    source.planReads(
        ConsumerOrder.offsetsOf(tasks)); // a view: an epoch's tasks are made when asked
  }

  @Override
  public Delivered<R> next() {
    if (closed) {
      throw new IllegalStateException("loader closed");
    }
    if (next >= tasks.size()) {
      return null;
    }
    LoaderTask task = tasks.get(next++);
    long start = System.nanoTime();
    try {
      CompletableFuture<R> f = processor.process(source, task);
      Delivered<R> d = new Delivered<>(task, f.get());
      metrics.waited(-1, System.nanoTime() - start); // the consumer loaded it: all of it waited
      return d;
    } catch (ExecutionException e) {
      throw BatchFailures.of(processor.failures(), task, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw processor.failures().failed("interrupted", task.position(), e);
    } catch (RuntimeException | Error e) {
      throw BatchFailures.of(processor.failures(), task, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    source.planReads(java.util.List.of());
  }
}
