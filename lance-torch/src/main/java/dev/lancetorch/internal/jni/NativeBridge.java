package dev.lancetorch.internal.jni;

/**
 * The only class with native methods: one-to-one JNI wrappers over the C API in {@code
 * cpp-shim/include/lance_torch.h}. Errors arrive as {@link IllegalArgumentException} (bad input),
 * {@link IllegalStateException} (libtorch not loaded) or {@link RuntimeException}. Callers must
 * have run {@link NativeLoader#load()}.
 *
 * <p>Handles: a batch handle ({@code long}) is <em>owned</em> by whoever got it from {@link
 * #importBatch} and given back once with {@link #releaseBatch}. A tensor handle ({@code
 * AtenTensorHandle}) is <em>owned</em> by the caller and given back once with {@link
 * #deleteTensorHandle}.
 */
public final class NativeBridge {
  private NativeBridge() {}

  /** Resolves libtorch's C ABI; {@code libtorchPath} may be null (look up the loaded one). */
  public static native void init(String libtorchPath);

  /** Moves (always consumes) the Arrow C structs at these addresses into a new batch handle. */
  public static native long importBatch(long arrowArrayAddress, long arrowSchemaAddress);

  /** Drops the handle's reference; tensors keep the batch alive. */
  public static native void releaseBatch(long batch);

  /**
   * Moves the struct schema at the address into a shared lt_schema; returns its handle (owned by
   * the caller).
   */
  public static native long importSchema(long arrowSchemaAddress);

  /** Moves the ArrowArray in, borrowing the lt_schema; returns the lt_batch handle. */
  public static native long importBatchWithSchema(long arrowArrayAddress, long schema);

  /** Drops the caller's reference to an lt_schema. */
  public static native void releaseSchema(long schema);

  public static native long numRows(long batch);

  public static native int numColumns(long batch);

  public static native String columnName(long batch, int col);

  public static native String columnFormat(long batch, int col);

  /** Returns an owned AtenTensorHandle. */
  public static native long columnTensor(
      long batch, int col, boolean columnMajor, boolean fillNulls, double fillValue);

  /**
   * Returns an owned AtenTensorHandle; dtype is a torch ScalarType code or -1 (promote). {@code
   * fillNulls[i]}: replace the nulls of {@code cols[i]} by {@code fillValues[i]}; both arrays null
   * for no fills.
   */
  public static native long stackColumns(
      long batch, int[] cols, int dtype, boolean[] fillNulls, double[] fillValues);

  /**
   * A variable-length column's rows {@code [rowStart, rowStart + rowCount)} (rowCount {@code <= 0}:
   * to the end) as owned {values, offsets} AtenTensorHandles (lt_batch_column_jagged).
   */
  public static native long[] columnJagged(
      long batch, int col, long rowStart, long rowCount, boolean fillNulls, double fillValue);

  /**
   * A variable-length column padded/truncated as owned {padded, lengths, mask} handles
   * (lt_batch_column_padded).
   */
  public static native long[] columnPadded(
      long batch,
      int col,
      long rowStart,
      long rowCount,
      long length,
      boolean toBatchMax,
      double padValue,
      boolean fillNulls,
      double fillValue);

  public static native void deleteTensorHandle(long tensorHandle);

  /** Moves (always consumes) the Arrow C stream at this address into a new, owned stream handle. */
  public static native long streamOpen(long arrowArrayStreamAddress);

  /**
   * The next batch as an owned batch handle, or 0 at the end of the stream. Not thread-safe per
   * stream.
   */
  public static native long streamNext(long stream);

  /** Releases the Arrow stream and frees the handle; batches already taken stay valid. */
  public static native void streamRelease(long stream);

  /** As {@link #deleteTensorHandle} but on a new native thread not attached to the JVM (joined). */
  public static native void deleteOnNativeThread(long tensorHandle);

  /**
   * A new gather (owned by the caller, freed once with {@link #gatherRelease}); see {@code
   * lt_gather_create}.
   */
  public static native long gatherCreate(
      String[] names, int addressCol, long batchSize, long totalRows);

  /**
   * A new gather with outputs of the given sizes (owned by the caller); see {@code
   * lt_gather_create_sized}.
   */
  public static native long gatherCreateSized(String[] names, int addressCol, long[] sizes);

  /**
   * Merge-join of a borrowed source batch against {@code wantAddr[from, from + n)}; returns the new
   * cursor.
   */
  public static native int gatherMerge(
      long gather,
      long src,
      String addrCol,
      long[] wantAddr,
      long[] wantPos,
      int from,
      int n,
      int cursor);

  /**
   * Merge of a borrowed source against a dense map of wanted rows ({@code dense[x - lo]} = 1 + the
   * destination of address {@code x}, 0 = not wanted); found entries are set to 0. Returns the
   * matches.
   */
  public static native long gatherMergeDense(
      long gather, long src, String addrCol, int[] dense, long lo);

  /**
   * Copies rows {@code srcRows[from, from + n)} of a borrowed source to {@code dstPos[from, from +
   * n)}.
   */
  public static native void gatherRows(
      long gather, long src, long[] srcRows, long[] dstPos, int from, int n);

  /** Copies global rows of the concatenated borrowed sources ({@code starts}: n + 1 row starts). */
  public static native void gatherFromBatches(
      long gather, long[] srcs, long[] starts, long[] positions, long[] dstPos, int from, int n);

  /**
   * Copies the rows at addresses {@code addrs[from, from + n)} to positions {@code dstFrom...} from
   * borrowed cached sources: {@code srcs} laid end to end ({@code starts}: n + 1 row starts),
   * fragment id {@code f} at {@code fragBase[f]} (-1: not cached), {@code fragRows[f]} rows, row
   * offsets at native address {@code fragOffsets[f]} (uint32, ascending; 0: dense). Returns the
   * index (from {@code from}) of the first address no fragment holds (nothing copied), or -1.
   */
  public static native int gatherFromFragments(
      long gather,
      long[] srcs,
      long[] starts,
      long[] fragBase,
      long[] fragRows,
      long[] fragOffsets,
      long[] addrs,
      int from,
      int n,
      long dstFrom);

  /**
   * Sets glibc malloc's mmap and trim thresholds for the process ({@code mallopt}); false where the
   * C library is not glibc or refuses a value.
   */
  public static native boolean mallocTune(long mmapThreshold, long trimThreshold);

  /**
   * Returns the free pages of every glibc malloc arena to the system ({@code malloc_trim(0)}); true
   * when some memory was released, false when none was or the C library is not glibc.
   */
  public static native boolean mallocTrim();

  /**
   * Gives binary / utf8 column {@code col} of the batch (borrowed) row slots at {@code slots}
   * (borrowed: kept alive by the caller as long as the batch), {@code stride} bytes apart
   * (lt_batch_slot_column).
   */
  public static native void slotColumn(long batch, int col, long slots, long stride);

  /**
   * Writes {@code rows} row slots of a binary / utf8 column (its borrowed offsets, data and
   * validity addresses; validity 0 for none) into packed rows at {@code dst + at}, {@code stride}
   * bytes apart (lt_pack_slots).
   */
  public static native void packSlots(
      long dst,
      long stride,
      long at,
      long offsets,
      boolean large,
      long data,
      long validity,
      long rows);

  /**
   * Marks column {@code col} of the batch (borrowed) row-packed, {@code stride} bytes from a row's
   * values to the next (lt_batch_pack_column): only gathers read it afterwards.
   */
  public static native void packColumn(long batch, int col, long stride);

  /**
   * Interleaves columns' contiguous values (borrowed addresses {@code srcs}, {@code bytes[c]} a
   * row) into {@code rows} rows of {@code stride} bytes at {@code dst} (borrowed), column c at byte
   * {@code at[c]} of each row (lt_pack_rows).
   */
  public static native void packRows(
      long dst, long stride, long[] srcs, long[] bytes, long[] at, long rows);

  /**
   * Maps {@code bytes} of the file at {@code path} read-only and shared at a 2 MiB-aligned address,
   * asks for huge pages and fills its page tables; returns the address, owned by the caller (give
   * it back once with {@link #unmapFile}).
   */
  public static native long mapFile(String path, long bytes);

  /** Unmaps a mapping of {@link #mapFile} (transferred: unusable afterwards). */
  public static native void unmapFile(long address, long bytes);

  /**
   * Writes {@code addrs[from, from + n)} into the address column at positions {@code dstFrom...}.
   */
  public static native void gatherAddresses(
      long gather, long[] addrs, int from, int n, long dstFrom);

  /** Output {@code index} as a new batch handle owned by the caller. */
  public static native long gatherFinish(long gather, int index);

  public static native void gatherRelease(long gather);

  /**
   * Fills the {@code struct ArrowArray} at the address with a view of the batch holding one batch
   * reference.
   */
  public static native void exportArray(long batch, long arrowArrayAddress);

  /** Payload bytes (values and validity) of the batch's rows. */
  public static native long bufferBytes(long batch);

  /** imported, released, created, freed, copied, bytesCopied, bytesLive. */
  public static native long[] stats();

  /**
   * {@code setenv(name, value, 1)}: for variables native libraries read when they start
   * (ThreadBudget).
   */
  public static native void setenv(String name, String value);

  /**
   * Sets OpenBLAS's thread count when {@code n > 0}; returns its count, or -1 if OpenBLAS is not
   * loaded.
   */
  public static native int openblasThreads(int n);
}
