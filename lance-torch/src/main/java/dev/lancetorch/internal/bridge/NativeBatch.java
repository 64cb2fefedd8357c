package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.AdoptedTensor;
import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.internal.jni.NativeLoader;
import dev.lancetorch.internal.memory.NativeHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.bytedeco.pytorch.Tensor;

/**
 * One Arrow record batch imported into the native bridge: the type the read path produces, passes
 * on and consumes ({@link NativeScan#next()}, {@link TorchGather#finish}, the caches). The public
 * {@code dev.lancetorch.torch.TorchBatch} is a thin view over one of these ({@link BatchAccess}),
 * adding the column options, null fills and dictionaries of the API.
 *
 * <p>Ownership: the batch <b>owns</b> one native reference to the imported Arrow data, given back
 * by the first {@link #close()} (closing again is a no-op); any other method after that throws
 * {@link IllegalStateException}. Every {@link Tensor} returned is <b>owned by the caller</b> and
 * holds its own native reference, so it stays valid after this batch is closed. The Arrow buffers
 * are released exactly once, when the last of the batch and its tensors is gone. Methods are
 * thread-safe: native calls and {@link #close()} are serialized on this batch.
 */
public final class NativeBatch implements AutoCloseable {
  private final NativeHandle handle;
  private final long numRows;
  private final List<String> columnNames;

  private NativeBatch(long handle, List<String> columnNames) {
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
   * Wraps an owned native batch handle: ownership is <b>transferred</b> to the returned batch, also
   * if this throws (then the handle is released). {@code columnNames} (immutable) are the batch's
   * column names when the caller already knows them (every batch of one stream shares its schema),
   * else null.
   */
  public static NativeBatch adopt(long handle, List<String> columnNames) {
    try {
      UnreleasedMemory.afterImport();
      return new NativeBatch(handle, columnNames);
    } catch (RuntimeException | Error e) {
      NativeBridge.releaseBatch(handle);
      throw e;
    }
  }

  /**
   * Imports a struct-typed Arrow C array/schema pair; their contents are <b>transferred</b> to the
   * batch, even if this throws (both structs are then marked released).
   */
  public static NativeBatch importFrom(long arrowArrayAddress, long arrowSchemaAddress) {
    NativeLoader.load();
    return adopt(NativeBridge.importBatch(arrowArrayAddress, arrowSchemaAddress), null);
  }

  /**
   * Exports {@code root} zero-copy through the Arrow C Data Interface and imports it. The root and
   * {@code allocator} are <b>borrowed</b>: the root may be reused or closed right after this
   * returns (the exported buffers are retained until the batch and all its tensors are gone).
   */
  public static NativeBatch fromRoot(VectorSchemaRoot root, BufferAllocator allocator) {
    NativeLoader.load();
    try (ArrowArray array = ArrowArray.allocateNew(allocator);
        ArrowSchema schema = ArrowSchema.allocateNew(allocator)) {
      Data.exportVectorSchemaRoot(allocator, root, null, array, schema);
      return importFrom(array.memoryAddress(), schema.memoryAddress());
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
    return NativeBridge.columnFormat(handle(), index(name));
  }

  /** One column as a tensor ({@code lt_batch_column_tensor}); the caller owns it. */
  public synchronized Tensor column(
      String name, boolean columnMajor, boolean fillNulls, double fillValue) {
    return new AdoptedTensor(
        NativeBridge.columnTensor(handle(), index(name), columnMajor, fillNulls, fillValue));
  }

  /**
   * Columns stacked into one {@code (C, R)} tensor in {@code dtype} ({@code -1}: promoted); {@code
   * fill} (null: none) says which columns get their nulls replaced by {@code values}. The caller
   * owns it.
   */
  public synchronized Tensor stack(
      List<String> columns, int dtype, boolean[] fill, double[] values) {
    long h = handle();
    int[] idx = new int[columns.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = index(columns.get(i));
    }
    return new AdoptedTensor(NativeBridge.stackColumns(h, idx, dtype, fill, values));
  }

  /**
   * Rows {@code [rowStart, rowStart + rowCount)} ({@code rowCount <= 0}: to the end) of a
   * variable-length column as {values, offsets}; the caller owns both.
   */
  public synchronized Tensor[] jagged(
      String name, long rowStart, long rowCount, boolean fillNulls, double fillValue) {
    return adoptAll(
        NativeBridge.columnJagged(handle(), index(name), rowStart, rowCount, fillNulls, fillValue));
  }

  /**
   * Rows of a variable-length column padded or truncated to {@code length} (or the batch's longest
   * row) as {values, lengths, mask}; the caller owns all three.
   */
  public synchronized Tensor[] padded(
      String name,
      long rowStart,
      long rowCount,
      long length,
      boolean batchMax,
      double padValue,
      boolean fillNulls,
      double fillValue) {
    return adoptAll(
        NativeBridge.columnPadded(
            handle(),
            index(name),
            rowStart,
            rowCount,
            length,
            batchMax,
            padValue,
            fillNulls,
            fillValue));
  }

  /**
   * This batch's rows as an Arrow Java root over the same native memory (no copy), <b>owned by the
   * caller</b> (it holds its own reference to the data); {@code allocator} is borrowed.
   */
  public synchronized VectorSchemaRoot toArrow(Schema schema, BufferAllocator allocator) {
    long h = handle();
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
    return NativeBridge.bufferBytes(handle());
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

  /**
   * The native handle, <b>borrowed</b>: valid while this batch is open (the caller keeps it open
   * for the native call).
   *
   * @throws IllegalStateException if the batch is closed
   */
  public synchronized long handle() {
    return handle.get();
  }

  private int index(String name) {
    int i = columnNames.indexOf(name); // first match, as lt_batch_column_index
    if (i < 0) {
      throw new IllegalArgumentException("no column '" + name + "'; columns: " + columnNames);
    }
    return i;
  }

  /** Adopts every owned tensor handle; if one fails, the rest are deleted too. */
  private static Tensor[] adoptAll(long[] handles) {
    Tensor[] out = new Tensor[handles.length];
    int i = 0;
    try {
      for (; i < handles.length; i++) {
        out[i] = new AdoptedTensor(handles[i]);
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
}
