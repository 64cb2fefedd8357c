package dev.lancetorch.internal.loader;

import java.util.concurrent.CompletableFuture;

/**
 * Turns one task into a result: fetches in the calling (worker) thread, then collates or
 * transforms, in the same thread or elsewhere. A future completing with {@code null} means
 * "skipped". The processor owns the fetched batch until it hands the result over through the
 * future; on failure it closes it.
 */
public interface TaskProcessor<B, R> {
  CompletableFuture<R> process(RowSource<B> handle, LoaderTask task);

  /** How a batch that could not be produced is reported to the consumer. */
  LoaderFailures failures();
}
