package dev.lancetorch.internal.read;

import dev.lancetorch.internal.bridge.NativeBatch;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The batches one handle announced it will take next ({@code Permutation.planReads}, a loader
 * worker's share), read ahead by one source of batches in their order: a {@link WindowReader} over
 * their addresses ({@link #of}), or the permutation's own stream of consecutive ranges. While the
 * handle asks exactly these batches in this order, each comes from that source; the first request
 * that differs ends the plan (the caller then reads it the plain way). Owns the source; {@link
 * #close()} (idempotent) closes it, freeing the batches not handed out. Thread-safe.
 *
 * @param <B> what the source returns
 */
public final class PlannedReads<B> implements AutoCloseable {
  private final List<long[]> batches;
  private final IntFunction<B> next;
  private final Runnable close;
  private int asked;
  private boolean closed;

  /**
   * @param batches the announced batches, in order (kept, not copied)
   * @param next reads the source's next batch (given the rows asked), owned by the caller
   * @param close closes the source (owned), run once by {@link #close()}
   */
  public PlannedReads(List<long[]> batches, IntFunction<B> next, Runnable close) {
    this.batches = batches;
    this.next = next;
    this.close = close;
  }

  /** The batches read by the planner {@code reader} (owned from now on). */
  public static PlannedReads<NativeBatch> of(List<long[]> batches, WindowReader reader) {
    return new PlannedReads<>(
        batches,
        rows -> {
          NativeBatch b = reader.next();
          if (b == null || b.numRows() != rows) {
            if (b != null) {
              b.close();
            }
            throw new IllegalStateException("the read planner returned a batch of the wrong size");
          }
          return b;
        },
        reader::close);
  }

  /**
   * The rows of {@code batches}, or -1 unless they are read-plannable: every batch of the first
   * one's size but the last, which is not larger, none empty.
   */
  public static long uniformRows(List<long[]> batches) {
    int size = batches.get(0).length;
    long total = 0;
    for (int i = 0; i < batches.size(); i++) {
      int n = batches.get(i).length;
      if (n == 0 || n > size || (n < size && i < batches.size() - 1)) {
        return -1;
      }
      total += n;
    }
    return total;
  }

  /** The rows of {@code batches}, or -1 when one is empty. */
  public static long rows(List<long[]> batches) {
    long total = 0;
    for (long[] b : batches) {
      if (b.length == 0) {
        return -1;
      }
      total += b.length;
    }
    return total;
  }

  /**
   * Base row addresses of the planned batches, concatenated; null when one is empty or there are
   * too many rows for one array.
   */
  public static long[] addresses(
      List<long[]> batches, java.util.function.LongUnaryOperator addressOf) {
    long total = rows(batches);
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
   * planned batch (or every batch was asked, or this is closed).
   *
   * @throws IllegalStateException if the planner returns a batch of another size
   */
  public synchronized B take(long[] offsets) {
    if (closed || !advance(offsets)) {
      return null;
    }
    return next.apply(offsets.length);
  }

  /**
   * True, and one batch further, when {@code offsets} are the next announced batch; false (nothing
   * changes) otherwise or when every batch was asked.
   */
  private boolean advance(long[] offsets) {
    if (asked >= batches.size()) {
      return false;
    }
    long[] want = batches.get(asked);
    if (want != offsets && !Arrays.equals(want, offsets)) {
      return false;
    }
    asked++;
    return true;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      close.run();
    }
  }
}
