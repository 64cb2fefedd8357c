package dev.lancetorch.torch;

import dev.lancetorch.internal.jni.NativeBridge;
import java.util.List;

/**
 * Rows of source batches copied natively into new, exact-size output batches ({@code lt_gather} in
 * {@code lance_torch.h}): the scatter half of a read planner. Destination position {@code p} is row
 * {@code p % batchSize} of output {@code p / batchSize}; every output is allocated at the first
 * source gathered (size windows to a memory budget), and its column layouts come from that source's
 * columns of the same names.
 *
 * <p>Ownership: the gather <b>owns</b> its outputs until {@link #finish} hands one over as a {@link
 * TorchBatch} <b>owned by the caller</b>; {@link #close()} (idempotent) frees the outputs not
 * handed over. Source batches are <b>borrowed</b> for each call. The copy methods may run on
 * several threads at once for disjoint destination positions; {@link #finish} and {@link #close()}
 * must not overlap them.
 */
public final class TorchGather implements AutoCloseable {
  private long handle;
  private final List<String> names;
  private final int outputs;

  private TorchGather(long handle, List<String> names, int outputs) {
    this.handle = handle;
    this.names = names;
    this.outputs = outputs;
  }

  /**
   * @param names output column names in order
   * @param addressCol index of the column filled by {@link #addresses} (uint64), or -1
   * @param batchSize rows per output (the last output may be shorter)
   * @param totalRows destination positions in all
   */
  public static TorchGather create(
      List<String> names, int addressCol, int batchSize, long totalRows) {
    NativeLibrary.load();
    long h =
        NativeBridge.gatherCreate(names.toArray(new String[0]), addressCol, batchSize, totalRows);
    return new TorchGather(
        h, List.copyOf(names), Math.toIntExact((totalRows + batchSize - 1) / batchSize));
  }

  /**
   * A gather whose output {@code i} holds {@code sizes[i]} rows (each ≥ 1): destination positions
   * are the outputs' rows back to back.
   *
   * @param names output column names in order
   * @param addressCol index of the column filled by {@link #addresses} (uint64), or -1
   */
  public static TorchGather create(List<String> names, int addressCol, long[] sizes) {
    NativeLibrary.load();
    long h = NativeBridge.gatherCreateSized(names.toArray(new String[0]), addressCol, sizes);
    return new TorchGather(h, List.copyOf(names), sizes.length);
  }

  /** Number of outputs. */
  public int outputs() {
    return outputs;
  }

  /**
   * Merge-join: {@code src}'s column {@code addrCol} holds ascending row addresses; every wanted
   * address in {@code wantAddr[from + cursor, from + n)} (ascending) found there is copied to its
   * {@code wantPos}.
   *
   * @return the new cursor (relative to {@code from}): wanted entries before it are done
   * @throws IllegalArgumentException when a wanted address lies below the source's addresses
   *     (missing)
   */
  public int merge(
      TorchBatch src,
      String addrCol,
      long[] wantAddr,
      long[] wantPos,
      int from,
      int n,
      int cursor) {
    return NativeBridge.gatherMerge(
        live(), src.handle(), addrCol, wantAddr, wantPos, from, n, cursor);
  }

  /**
   * Merge against a dense map of the wanted rows of one address range: {@code dense[x - lo]} is 1 +
   * the destination position of the row at address {@code x}, 0 when it is not wanted (one
   * destination per address). Every row of {@code src} whose entry is nonzero is copied there and
   * its entry set to 0, so the entries still nonzero after the last source are the rows no source
   * held. {@code dense} is borrowed and written for the call.
   *
   * @return the rows copied
   */
  public long mergeDense(TorchBatch src, String addrCol, int[] dense, long lo) {
    return NativeBridge.gatherMergeDense(live(), src.handle(), addrCol, dense, lo);
  }

  /**
   * Copies row {@code srcRows[i]} of {@code src} to position {@code dstPos[i]}, for {@code i} in
   * [from, from + n).
   */
  public void rows(TorchBatch src, long[] srcRows, long[] dstPos, int from, int n) {
    NativeBridge.gatherRows(live(), src.handle(), srcRows, dstPos, from, n);
  }

  /**
   * Copies global row {@code positions[i]} of the concatenation of {@code srcs} ({@code srcs[s]}
   * holds rows {@code [starts[s], starts[s + 1])}) to {@code dstPos[i]}, for {@code i} in [from,
   * from + n).
   */
  public void fromBatches(
      long[] srcHandles, long[] starts, long[] positions, long[] dstPos, int from, int n) {
    NativeBridge.gatherFromBatches(live(), srcHandles, starts, positions, dstPos, from, n);
  }

  /** The borrowed native handles of {@code batches}, for {@link #fromBatches}. */
  public static long[] handles(List<TorchBatch> batches) {
    long[] h = new long[batches.size()];
    for (int i = 0; i < h.length; i++) {
      h[i] = batches.get(i).handle();
    }
    return h;
  }

  /**
   * Writes {@code addrs[from, from + n)} into the address column at positions {@code dstFrom,
   * dstFrom + 1, ...}.
   */
  public void addresses(long[] addrs, int from, int n, long dstFrom) {
    NativeBridge.gatherAddresses(live(), addrs, from, n, dstFrom);
  }

  /**
   * Hands output {@code index} over (once).
   *
   * @throws IllegalStateException if some of its rows were not written, or it was handed over
   *     already
   */
  public TorchBatch finish(int index) {
    return TorchBatch.adoptHandle(NativeBridge.gatherFinish(live(), index), names);
  }

  private long live() {
    if (handle == 0) {
      throw new IllegalStateException("TorchGather is closed");
    }
    return handle;
  }

  /** Frees every output not handed over; idempotent. */
  @Override
  public void close() {
    if (handle != 0) {
      long h = handle;
      handle = 0;
      NativeBridge.gatherRelease(h);
    }
  }
}
