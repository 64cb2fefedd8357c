package dev.lancetorch.internal.read;

import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.torch.TorchBatch;
import java.util.List;

/**
 * The batches a loader worker announced it will take next ({@link Permutation#planReads}), read by
 * a {@link WindowReader} over their addresses: while the worker asks exactly these batches in this
 * order, each comes from the planner's windows; the first request that differs ends the plan (the
 * caller then reads it the plain way). Owns the reader; {@link #close()} (idempotent) frees the
 * batches not handed out. Thread-safe.
 */
public final class PlannedReads implements AutoCloseable {
  private final PlanCursor cursor;
  private final WindowReader reader;
  private boolean closed;

  public PlannedReads(List<long[]> batches, WindowReader reader) {
    this.cursor = new PlanCursor(batches);
    this.reader = reader;
  }

  /**
   * Base row addresses of the planned batches, concatenated; null when one is empty or there are
   * too many rows for one array.
   */
  public static long[] addresses(
      List<long[]> batches, java.util.function.LongUnaryOperator addressOf) {
    long total = PlanCursor.rows(batches);
    if (total < 0 || total > Integer.MAX_VALUE - 8) {
      return null;
    }
    long[] out = new long[(int) total];
    int k = 0;
    for (long[] b : batches) {
      for (long o : b) {
        out[k++] = addressOf.applyAsLong(o);
      }
    }
    return out;
  }

  /** The rows of each batch, in order (for the {@link WindowReader} over them). */
  public static int[] sizes(List<long[]> batches) {
    int[] out = new int[batches.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = batches.get(i).length;
    }
    return out;
  }

  /**
   * The planned batch for {@code offsets} (owned by the caller), or null when they are not the next
   * planned batch.
   */
  public synchronized TorchBatch take(long[] offsets) {
    if (closed || !cursor.advance(offsets)) {
      return null;
    }
    TorchBatch b = reader.next();
    if (b == null || b.numRows() != offsets.length) {
      if (b != null) {
        b.close();
      }
      throw new IllegalStateException("the read planner returned a batch of the wrong size");
    }
    return b;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      reader.close();
    }
  }
}
