package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.internal.jni.NativeLoader;
import dev.lancetorch.internal.memory.NativeHandle;
import java.util.List;

/**
 * Rows of source batches copied natively into new, exact-size output batches ({@code lt_gather} in
 * {@code lance_torch.h}): the scatter half of a read planner. Destination position {@code p} is row
 * {@code p % batchSize} of output {@code p / batchSize}; every output is allocated at the first
 * source gathered (size windows to a memory budget), and its column layouts come from that source's
 * columns of the same names.
 *
 * <p>Ownership: the gather <b>owns</b> its outputs until {@link #finish} hands one over as a {@link
 * NativeBatch} <b>owned by the caller</b>; {@link #close()} (idempotent) frees the outputs not
 * handed over. Source batches are <b>borrowed</b> for each call. The copy methods may run on
 * several threads at once for disjoint destination positions; {@link #finish} and {@link #close()}
 * must not overlap them.
 *
 * <p>Internal (it was {@code dev.lancetorch.torch.TorchGather}): it lives next to {@link
 * NativeBridge} because it is a thin owner of one native gather handle, held in a {@link
 * NativeHandle} like every native owner. Sources are {@link NativeBatch}es, never raw handles: a
 * closed source batch is an {@link IllegalStateException} before any native code runs.
 */
public final class TorchGather implements AutoCloseable {
  private final NativeHandle handle;
  private final List<String> names;
  private final int outputs;

  private TorchGather(long handle, List<String> names, int outputs) {
    this.names = names;
    this.outputs = outputs;
    this.handle = NativeHandle.owned("TorchGather", handle, NativeBridge::gatherRelease); // last
  }

  /** Wraps an owned gather handle; released here if wrapping fails. */
  private static TorchGather adopt(long handle, List<String> names, int outputs) {
    try {
      return new TorchGather(handle, names, outputs);
    } catch (RuntimeException | Error e) {
      NativeBridge.gatherRelease(handle);
      throw e;
    }
  }

  /**
   * @param names output column names in order
   * @param addressCol index of the column filled by {@link #addresses} (uint64), or -1
   * @param batchSize rows per output (the last output may be shorter)
   * @param totalRows destination positions in all
   */
  public static TorchGather create(
      List<String> names, int addressCol, int batchSize, long totalRows) {
    if (batchSize <= 0 || totalRows < 0) {
      throw new IllegalArgumentException(
          "gather of " + totalRows + " rows in batches of " + batchSize + " rows");
    }
    long outputs = totalRows / batchSize + (totalRows % batchSize == 0 ? 0 : 1);
    if (outputs > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "gather of " + totalRows + " rows in batches of " + batchSize + ": too many outputs");
    }
    NativeLoader.load();
    List<String> copy = List.copyOf(names);
    long h =
        NativeBridge.gatherCreate(copy.toArray(new String[0]), addressCol, batchSize, totalRows);
    return adopt(h, copy, (int) outputs);
  }

  /**
   * A gather whose output {@code i} holds {@code sizes[i]} rows (each ≥ 1): destination positions
   * are the outputs' rows back to back.
   *
   * @param names output column names in order
   * @param addressCol index of the column filled by {@link #addresses} (uint64), or -1
   */
  public static TorchGather create(List<String> names, int addressCol, long[] sizes) {
    NativeLoader.load();
    List<String> copy = List.copyOf(names);
    long h = NativeBridge.gatherCreateSized(copy.toArray(new String[0]), addressCol, sizes);
    return adopt(h, copy, sizes.length);
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
      NativeBatch src,
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
  public long mergeDense(NativeBatch src, String addrCol, int[] dense, long lo) {
    return NativeBridge.gatherMergeDense(live(), src.handle(), addrCol, dense, lo);
  }

  /**
   * Copies row {@code srcRows[i]} of {@code src} to position {@code dstPos[i]}, for {@code i} in
   * [from, from + n).
   */
  public void rows(NativeBatch src, long[] srcRows, long[] dstPos, int from, int n) {
    NativeBridge.gatherRows(live(), src.handle(), srcRows, dstPos, from, n);
  }

  /**
   * Copies global row {@code positions[i]} of the concatenation of {@code srcs} ({@code srcs[s]}
   * holds rows {@code [starts[s], starts[s + 1])}) to {@code dstPos[i]}, for {@code i} in [from,
   * from + n). The sources are borrowed for the call.
   *
   * @throws IllegalStateException if a source batch is closed
   * @throws IllegalArgumentException if {@code starts} does not have one entry more than {@code
   *     srcs}
   */
  public void fromBatches(
      List<NativeBatch> srcs, long[] starts, long[] positions, long[] dstPos, int from, int n) {
    if (starts.length != srcs.size() + 1) {
      throw new IllegalArgumentException(
          "starts has " + starts.length + " entries for " + srcs.size() + " source batches");
    }
    long[] h = new long[srcs.size()];
    for (int i = 0; i < h.length; i++) {
      h[i] = srcs.get(i).handle();
    }
    NativeBridge.gatherFromBatches(live(), h, starts, positions, dstPos, from, n);
  }

  /**
   * Copies the rows at addresses {@code addrs[from, from + n)} to positions {@code dstFrom, dstFrom
   * + 1, ...} from cached fragments, position after position (an output whose rows all come in this
   * call is laid out at once). Calls may run concurrently for disjoint positions.
   *
   * @param sources borrowed; its batches must stay open until this returns
   * @return the index (counted from {@code from}) of the first address {@code sources} does not
   *     hold — then nothing was copied — or -1
   */
  public int fromFragments(FragmentSources sources, long[] addrs, int from, int n, long dstFrom) {
    return NativeBridge.gatherFromFragments(
        live(),
        sources.handles,
        sources.starts,
        sources.base,
        sources.rows,
        sources.offsets,
        addrs,
        from,
        n,
        dstFrom);
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
  public NativeBatch finish(int index) {
    return NativeBatch.adopt(NativeBridge.gatherFinish(live(), index), names);
  }

  private long live() {
    return handle.get();
  }

  /** Frees every output not handed over; idempotent. */
  @Override
  public void close() {
    handle.close();
  }
}
