package dev.lancetorch.torch;

import dev.lancetorch.internal.bridge.BatchAccess;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.NativeScan;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Inside the library the batch is an internal {@code NativeBatch}, which the read path produces
 * and consumes; this class is the public view over one (it owns it), adding the options, null fills
 * and dictionaries.
 */
public final class TorchBatch implements AutoCloseable {
  static {
    BatchAccess.install(
        new BatchAccess.Access() {
          @Override
          public TorchBatch view(NativeBatch batch) {
            return new TorchBatch(batch);
          }

          @Override
          public NativeScan scanOf(Object torchScan) {
            return ((TorchScan) torchScan).scan;
          }
        });
  }

  private final NativeBatch batch; // owned
  private final long numRows;

  /** Takes ownership of {@code batch}. */
  TorchBatch(NativeBatch batch) {
    this.batch = batch;
    this.numRows = batch.numRows();
  }

  /**
   * Exports {@code root} zero-copy through the Arrow C Data Interface and imports it. The root is
   * <em>borrowed</em>: it stays owned by the caller and may be reused or closed right after this
   * returns (the exported buffers are retained until the batch and all its tensors are gone).
   * {@code allocator} is borrowed for the export's bookkeeping.
   */
  public static TorchBatch fromRoot(VectorSchemaRoot root, BufferAllocator allocator) {
    return new TorchBatch(NativeBatch.fromRoot(root, allocator));
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
    return new TorchBatch(NativeBatch.importFrom(arrowArrayAddress, arrowSchemaAddress));
  }

  /** Number of rows R. */
  public long numRows() {
    return numRows;
  }

  /** Column names in schema order (immutable). */
  public List<String> columnNames() {
    return batch.columnNames();
  }

  /** The Arrow format string of a column (e.g. {@code "f"}, {@code "+w:4"}, {@code "u"}). */
  public String columnFormat(String name) {
    return batch.columnFormat(name);
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
  public Tensor column(String name, ColumnOptions options) {
    Tensor t =
        batch.column(name, options.isColumnMajor(), options.isFillNulls(), options.fillValue());
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

  private Tensor stack(List<String> columns, int dtype, NullFill fill) {
    int n = columns.size();
    boolean[] on = fill.isNone() ? null : new boolean[n];
    double[] values = fill.isNone() ? null : new double[n];
    for (int i = 0; on != null && i < n; i++) {
      java.util.OptionalDouble v = fill.valueFor(columns.get(i));
      on[i] = v.isPresent();
      values[i] = v.orElse(0);
    }
    Tensor t = batch.stack(columns, dtype, on, values);
    for (int i = 0; on != null && i < n; i++) {
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

  private Tensor[] jaggedTensors(String name, long rowStart, long rowCount, ColumnOptions options) {
    Tensor[] t = batch.jagged(name, rowStart, rowCount, options.isFillNulls(), options.fillValue());
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

  private Tensor[] paddedTensors(String name, long rowStart, long rowCount, PadOptions options) {
    Tensor[] t =
        batch.padded(
            name,
            rowStart,
            rowCount,
            options.length(),
            options.isBatchMax(),
            options.padValue(),
            options.isFillNulls(),
            options.fillValue());
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
  public VectorSchemaRoot toArrow(
      org.apache.arrow.vector.types.pojo.Schema schema, BufferAllocator allocator) {
    return batch.toArrow(schema, allocator);
  }

  /** Payload bytes (values and validity bitmaps) of this batch's rows. */
  public long payloadBytes() {
    return batch.payloadBytes();
  }

  /** Whether {@link #close()} has run. */
  public boolean isClosed() {
    return batch.isClosed();
  }

  /** Gives back this batch's reference (idempotent); tensors already taken stay valid. */
  @Override
  public void close() {
    batch.close();
  }
}
