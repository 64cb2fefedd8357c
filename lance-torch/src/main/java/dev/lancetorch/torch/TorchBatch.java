package dev.lancetorch.torch;

import dev.lancetorch.internal.jni.AdoptedTensor;
import dev.lancetorch.internal.jni.BatchAccess;
import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.internal.memory.NativeHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One Arrow record batch imported into the native bridge, from which columns are taken as LibTorch
 * tensors without copying.
 *
 * <p>Ownership: the batch <em>owns</em> a native reference to the imported Arrow data, given back
 * by {@link #close()} (idempotent). Every {@link Tensor} returned is <em>owned by the caller</em>
 * (close it, or let a {@code PointerScope} or the garbage collector free it); zero-copy tensors
 * hold their own native reference, so they stay valid after this batch is closed and after the
 * source {@link VectorSchemaRoot} or reader moves on. The Arrow buffers are released exactly once,
 * when the last of the batch and its tensors is gone, on whichever thread that happens.
 *
 * <p>Zero-copy: numeric columns ({@code int8..int64, uint8..uint64, float16/32/64}) and {@code
 * FixedSizeList<numeric, D>} columns without nulls. Copies: bool columns (Arrow packs them into
 * bits), null-filled columns, multi-column stacks and dtype casts. Methods are thread-safe; using a
 * closed batch throws {@link IllegalStateException}.
 */
public final class TorchBatch implements AutoCloseable {
  static {
    BatchAccess.install(
        new BatchAccess.Access() {
          @Override
          public long borrow(Object batch) {
            return ((TorchBatch) batch).borrowHandle();
          }

          @Override
          public TorchBatch adopt(long handle, List<String> columnNames) {
            return adoptHandle(handle, columnNames);
          }
        });
  }

  private final NativeHandle handle;
  private final long numRows;
  private final List<String> columnNames;

  private TorchBatch(long handle, List<String> columnNames) {
    this.numRows = NativeBridge.numRows(handle);
    if (columnNames == null) {
      int n = NativeBridge.numColumns(handle);
      List<String> names = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        names.add(NativeBridge.columnName(handle, i));
      }
      columnNames = Collections.unmodifiableList(names);
    }
    this.columnNames = columnNames;
    this.handle = NativeHandle.owned("TorchBatch", handle, NativeBridge::releaseBatch); // last
  }

  /**
   * Exports {@code root} zero-copy through the Arrow C Data Interface and imports it. The root is
   * <em>borrowed</em>: it stays owned by the caller and may be reused or closed right after this
   * returns (the exported buffers are retained until the batch and all its tensors are gone).
   * {@code allocator} is borrowed for the export's bookkeeping.
   */
  public static TorchBatch fromRoot(VectorSchemaRoot root, BufferAllocator allocator) {
    NativeLibrary.load();
    try (ArrowArray array = ArrowArray.allocateNew(allocator);
        ArrowSchema schema = ArrowSchema.allocateNew(allocator)) {
      Data.exportVectorSchemaRoot(allocator, root, null, array, schema);
      return importFrom(array.memoryAddress(), schema.memoryAddress());
    }
  }

  /**
   * Imports a struct-typed Arrow C array/schema pair. The contents of both structs are
   * <em>transferred</em> to the batch, even if this throws: afterwards both structs are marked
   * released, and the caller only frees the struct memory itself.
   *
   * @param arrowArrayAddress address of a {@code struct ArrowArray}
   * @param arrowSchemaAddress address of a {@code struct ArrowSchema}
   */
  public static TorchBatch importFrom(long arrowArrayAddress, long arrowSchemaAddress) {
    NativeLibrary.load();
    return adoptHandle(NativeBridge.importBatch(arrowArrayAddress, arrowSchemaAddress));
  }

  /** Wraps an owned native batch handle (released here if wrapping fails). */
  static TorchBatch adoptHandle(long h) {
    return adoptHandle(h, null);
  }

  /**
   * As {@link #adoptHandle(long)}; {@code columnNames} (immutable) are the batch's column names
   * when the caller already knows them (every batch of one stream shares its schema), else null.
   */
  static TorchBatch adoptHandle(long h, List<String> columnNames) {
    try {
      UnreleasedMemory.afterImport();
      return new TorchBatch(h, columnNames);
    } catch (RuntimeException | Error e) {
      NativeBridge.releaseBatch(h);
      throw e;
    }
  }

  /** Number of rows R. */
  public long numRows() {
    return numRows;
  }

  /** Column names in schema order (immutable). */
  public List<String> columnNames() {
    return columnNames;
  }

  /** The Arrow format string of a column (e.g. {@code "f"}, {@code "+w:4"}, {@code "u"}). */
  public synchronized String columnFormat(String name) {
    return NativeBridge.columnFormat(live(), index(name));
  }

  /**
   * Column as {@code (R)} or, for {@code FixedSizeList<_, D>}, {@code (R, D)}; caller owns the
   * tensor.
   */
  public Tensor column(String name) {
    return column(name, ColumnOptions.defaults());
  }

  /**
   * Column-major view: {@code (D, R)} with strides {@code (1, D)}, or {@code (1, R)}; caller owns
   * the tensor.
   */
  public Tensor columnMajor(String name) {
    return column(name, ColumnOptions.defaults().columnMajor(true));
  }

  /** Column with explicit options (layout, null fill); caller owns the tensor. */
  public synchronized Tensor column(String name, ColumnOptions options) {
    long h = live();
    Tensor t =
        adopt(
            NativeBridge.columnTensor(
                h,
                index(name),
                options.isColumnMajor(),
                options.isFillNulls(),
                options.fillValue()));
    if (options.isFillNulls()) {
      ColumnOptions.requireExact(t, options.fillValue(), name, "null fill value");
    }
    return t;
  }

  /**
   * Stacks columns into a {@code (C, R)} tensor (a {@code FixedSizeList<_, D>} column contributes D
   * rows) in the promoted dtype: equal dtypes stay, any float gives the widest float present (at
   * least float32 when mixed with integers), integers/bools only give int64. Zero-copy for a single
   * column, else one gather. Caller owns it.
   */
  public Tensor stack(List<String> columns) {
    return stack(columns, -1, NullFill.none());
  }

  /** As {@link #stack(List)} but converted to {@code dtype}. Caller owns the tensor. */
  public Tensor stack(List<String> columns, ScalarType dtype) {
    return stack(columns, dtype.value, NullFill.none());
  }

  /**
   * As {@link #stack(List)}, the nulls of the columns {@code fill} names replaced by its values
   * (cast to the stacked dtype; then a copy). Caller owns the tensor.
   *
   * @throws IllegalArgumentException for a column with nulls that {@code fill} does not fill
   */
  public Tensor stack(List<String> columns, NullFill fill) {
    return stack(columns, -1, fill);
  }

  private synchronized Tensor stack(List<String> columns, int dtype, NullFill fill) {
    long h = live();
    int[] idx = new int[columns.size()];
    boolean[] on = fill.isNone() ? null : new boolean[idx.length];
    double[] values = fill.isNone() ? null : new double[idx.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = index(columns.get(i));
      if (on != null) {
        java.util.OptionalDouble v = fill.valueFor(columns.get(i));
        on[i] = v.isPresent();
        values[i] = v.orElse(0);
      }
    }
    Tensor t = adopt(NativeBridge.stackColumns(h, idx, dtype, on, values));
    for (int i = 0; on != null && i < idx.length; i++) {
      if (on[i]) {
        ColumnOptions.requireExact(t, values[i], columns.get(i), "null fill value");
      }
    }
    return t;
  }

  /**
   * Key suffix of a variable-length column's offsets in {@link #dictWithOffsets(List, Map, Map)}
   * ({@code "tokens.offsets"}).
   */
  public static final String OFFSETS_SUFFIX = ".offsets";

  /** Key suffix of a padded column's kept lengths ({@code "tokens.lengths"}, (R) int64). */
  public static final String LENGTHS_SUFFIX = ".lengths";

  /** Key suffix of a padded column's attention mask ({@code "tokens.mask"}, (R, L) bool). */
  public static final String MASK_SUFFIX = ".mask";

  /**
   * Whether a column is variable-length ({@code list}, {@code large_list}, {@code binary}, {@code
   * large_binary}, {@code utf8}, {@code large_utf8}): read it with {@link #jagged(String)} or
   * {@link #padded(String, PadOptions)}.
   */
  public boolean isVariableLength(String name) {
    return isVariableLengthFormat(columnFormat(name));
  }

  static boolean isVariableLengthFormat(String format) {
    return switch (format) {
      case "+l", "+L", "z", "Z", "u", "U" -> true;
      default -> false;
    };
  }

  /**
   * A variable-length column as values + offsets tensors (see {@link JaggedColumn}); caller owns
   * the result.
   */
  public JaggedColumn jagged(String name) {
    return jagged(name, 0, 0, ColumnOptions.defaults());
  }

  /**
   * Rows {@code [rowStart, rowStart + rowCount)} ({@code rowCount <= 0}: to the end) of a
   * variable-length column as values + offsets (offsets rebased to start at 0). {@code
   * options.fillNulls(v)}: null rows become empty rows and null items {@code v}; otherwise nulls
   * are an error naming the column and the first null row. Caller owns it.
   *
   * @throws IllegalArgumentException for a column that is not variable-length, nested lists,
   *     non-numeric items, malformed offsets, nulls without a fill value or a row range outside the
   *     batch
   */
  public JaggedColumn jagged(String name, long rowStart, long rowCount, ColumnOptions options) {
    Tensor[] t = jaggedTensors(name, rowStart, rowCount, options);
    return new JaggedColumn(t[0], t[1]);
  }

  private synchronized Tensor[] jaggedTensors(
      String name, long rowStart, long rowCount, ColumnOptions options) {
    Tensor[] t =
        adoptAll(
            NativeBridge.columnJagged(
                live(),
                index(name),
                rowStart,
                rowCount,
                options.isFillNulls(),
                options.fillValue()));
    if (options.isFillNulls()) {
      requireExact(t, options.fillValue(), name, "null fill value");
    }
    return t;
  }

  /**
   * A variable-length column padded or truncated to one length, with lengths and mask, in one
   * native pass (see {@link PaddedColumn}). Caller owns the result.
   *
   * @throws IllegalArgumentException as {@link #jagged(String, long, long, ColumnOptions)}, and for
   *     a longest row beyond int32 with {@link PadOptions#batchMax()}
   */
  public PaddedColumn padded(String name, PadOptions options) {
    return padded(name, 0, 0, options);
  }

  /**
   * As {@link #padded(String, PadOptions)} for rows {@code [rowStart, rowStart + rowCount)} only
   * ({@code rowCount} {@code <= 0}: to the end). Caller owns the result.
   */
  public PaddedColumn padded(String name, long rowStart, long rowCount, PadOptions options) {
    Tensor[] t = paddedTensors(name, rowStart, rowCount, options);
    return new PaddedColumn(t[0], t[1], t[2]);
  }

  private synchronized Tensor[] paddedTensors(
      String name, long rowStart, long rowCount, PadOptions options) {
    Tensor[] t =
        adoptAll(
            NativeBridge.columnPadded(
                live(),
                index(name),
                rowStart,
                rowCount,
                options.length(),
                options.isBatchMax(),
                options.padValue(),
                options.isFillNulls(),
                options.fillValue()));
    requireExact(t, options.padValue(), name, "pad value");
    if (options.isFillNulls()) {
      requireExact(t, options.fillValue(), name, "null fill value");
    }
    return t;
  }

  /**
   * {@link ColumnOptions#requireExact} for the values tensor {@code t[0]}; closes all on failure.
   */
  private static void requireExact(Tensor[] t, double value, String name, String role) {
    try {
      ColumnOptions.requireExact(t[0], value, name, role);
    } catch (IllegalArgumentException e) {
      for (int k = 1; k < t.length; k++) {
        t[k].close();
      }
      throw e;
    }
  }

  /**
   * As {@link #dict(List)}, where each variable-length column gives two entries: {@code name} → its
   * values and {@code name + OFFSETS_SUFFIX} → its offsets ({@link #jagged(String)}); {@code
   * padding} (may be empty; keyed by result key) pads the columns it names instead: {@code name} →
   * (R, L), {@code name.lengths}, {@code name.mask} ({@link #padded(String, PadOptions)}). {@code
   * keys} maps a column to its key in the result (renames); absent columns keep their name. Caller
   * owns every tensor.
   *
   * @throws IllegalArgumentException when a derived key collides with another entry
   */
  public Map<String, Tensor> dictWithOffsets(
      List<String> columns, Map<String, String> keys, Map<String, PadOptions> padding) {
    return dictWithOffsets(columns, keys, padding, 0, numRows, NullFill.none());
  }

  /**
   * As {@link #dictWithOffsets(List, Map, Map)} for rows {@code [rowStart, rowStart + rowCount)}
   * only.
   */
  public Map<String, Tensor> dictWithOffsets(
      List<String> columns,
      Map<String, String> keys,
      Map<String, PadOptions> padding,
      long rowStart,
      long rowCount) {
    return dictWithOffsets(columns, keys, padding, rowStart, rowCount, NullFill.none());
  }

  /**
   * As {@link #dictWithOffsets(List, Map, Map, long, long)}, the nulls of the columns {@code fill}
   * names (by column name, not result key) filled: fixed-width columns as {@link
   * ColumnOptions#fillNulls(double)}, jagged ones as there too (null rows empty, null items the
   * value), padded ones as {@link PadOptions#fillNulls(double)} unless their options fill nulls
   * themselves.
   */
  public Map<String, Tensor> dictWithOffsets(
      List<String> columns,
      Map<String, String> keys,
      Map<String, PadOptions> padding,
      long rowStart,
      long rowCount,
      NullFill fill) {
    if (rowStart < 0 || rowCount < 0 || rowStart + rowCount > numRows) {
      throw new IllegalArgumentException(
          "rows ["
              + rowStart
              + ", "
              + (rowStart + rowCount)
              + ") outside the batch of "
              + numRows
              + " rows");
    }
    boolean whole = rowStart == 0 && rowCount == numRows;
    long start =
        rowCount == 0 ? numRows : rowStart; // the native calls read rowCount 0 as "to the end"
    Map<String, Tensor> out = new LinkedHashMap<>();
    try {
      for (String c : columns) {
        String key = keys.getOrDefault(c, c);
        PadOptions pad = padding.get(key);
        if (pad != null) {
          putAll(
              out,
              paddedTensors(c, start, rowCount, fill.padOptions(c, pad)),
              key,
              key + LENGTHS_SUFFIX,
              key + MASK_SUFFIX);
        } else if (isVariableLength(c)) {
          putAll(
              out,
              jaggedTensors(c, start, rowCount, fill.columnOptions(c)),
              key,
              key + OFFSETS_SUFFIX);
        } else if (whole) {
          put(out, key, column(c, fill.columnOptions(c)));
        } else {
          try (Tensor t = column(c, fill.columnOptions(c))) {
            put(out, key, t.narrow(0, rowStart, rowCount));
          }
        }
      }
      return out;
    } catch (RuntimeException | Error e) {
      out.values().forEach(Tensor::close);
      throw e;
    }
  }

  /** Puts tensors[i] under keys[i]; on a collision, the tensors not yet put are closed. */
  private static void putAll(Map<String, Tensor> out, Tensor[] tensors, String... keys) {
    for (int i = 0; i < tensors.length; i++) {
      try {
        put(out, keys[i], tensors[i]);
      } catch (RuntimeException e) {
        for (int k = i + 1; k < tensors.length; k++) {
          tensors[k].close();
        }
        throw e;
      }
    }
  }

  private static void put(Map<String, Tensor> out, String key, Tensor t) {
    if (out.putIfAbsent(key, t) != null) {
      t.close();
      throw new IllegalArgumentException(
          "two tensors for key '"
              + key
              + "' (a column's derived key collides with "
              + "another column; rename one)");
    }
  }

  /**
   * Each named column as by {@link #column(String)}, in the given order; caller owns every tensor.
   */
  public Map<String, Tensor> dict(List<String> columns) {
    return dict(columns, NullFill.none());
  }

  /**
   * As {@link #dict(List)}, the nulls of the columns {@code fill} names replaced by its values
   * (those columns then copies). Caller owns every tensor.
   */
  public Map<String, Tensor> dict(List<String> columns, NullFill fill) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try {
      for (String c : columns) {
        out.put(c, column(c, fill.columnOptions(c)));
      }
      return out;
    } catch (RuntimeException | Error e) {
      out.values().forEach(Tensor::close);
      throw e;
    }
  }

  /**
   * This batch's rows as an Arrow Java root over the same native memory (no copy): the root is
   * <em>owned by the caller</em> and holds its own reference to the data, so it stays valid after
   * this batch is closed. {@code schema} must describe the batch's columns (names, types) in order;
   * {@code allocator} is borrowed.
   */
  public synchronized VectorSchemaRoot toArrow(
      org.apache.arrow.vector.types.pojo.Schema schema, BufferAllocator allocator) {
    long h = live();
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    try (ArrowArray array = ArrowArray.allocateNew(allocator)) {
      NativeBridge.exportArray(h, array.memoryAddress());
      try {
        Data.importIntoVectorSchemaRoot(allocator, array, root, null);
      } catch (RuntimeException | Error e) {
        if (array.snapshot().release != 0) {
          array.release(); // the import did not take the reference over
        }
        throw e;
      }
      return root;
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  /** Payload bytes (values and validity bitmaps) of this batch's rows. */
  public synchronized long payloadBytes() {
    return NativeBridge.bufferBytes(live());
  }

  /** Whether {@link #close()} has run. */
  public synchronized boolean isClosed() {
    return handle.isClosed();
  }

  /** Gives back this batch's reference (idempotent); tensors already taken stay valid. */
  @Override
  public synchronized void close() {
    handle.close();
  }

  private long live() {
    return handle.get();
  }

  /** The native handle, borrowed (internal code only, through {@code BatchAccess}). */
  private synchronized long borrowHandle() {
    return live();
  }

  private int index(String name) {
    int i = columnNames.indexOf(name); // first match, as lt_batch_column_index
    if (i < 0) {
      throw new IllegalArgumentException("no column '" + name + "'; columns: " + columnNames);
    }
    return i;
  }

  /** Adopts every owned handle; if one fails, the rest are deleted too. */
  private static Tensor[] adoptAll(long[] handles) {
    Tensor[] out = new Tensor[handles.length];
    int i = 0;
    try {
      for (; i < handles.length; i++) {
        out[i] = adopt(handles[i]);
      }
      return out;
    } catch (RuntimeException | Error e) {
      for (int k = 0; k < i; k++) {
        out[k].close();
      }
      for (int k = i + 1; k < handles.length; k++) {
        NativeBridge.deleteTensorHandle(handles[k]);
      }
      throw e;
    }
  }

  /**
   * Turns an owned AtenTensorHandle into an owned JavaCPP Tensor (no extra at::Tensor, no JavaCPP
   * deallocator).
   */
  static Tensor adopt(long tensorHandle) {
    return new AdoptedTensor(tensorHandle);
  }
}
