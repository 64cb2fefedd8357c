package dev.lancetorch.internal.read;

import dev.lancetorch.internal.arrow.FragmentSize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An in-memory copy of some columns of a table, loaded by one sequential scan (zero-copy from
 * Lance), from which shuffled rows are gathered at memory speed instead of one Lance take per
 * batch. Fixed-width columns and FixedSizeLists of fixed-width values without nulls are gathered
 * with one memory copy per row; other types row by row through Arrow.
 *
 * <p>Used for column sets {@link NativeColumnCache} cannot hold (variable-length columns);
 * fixed-width columns are cached natively. Owns the scanned Arrow buffers (in the allocator given
 * to {@link #load}) until {@link #close()}. Thread-safe for concurrent gathers once loaded;
 * gathered roots are allocated where the caller says.
 */
final class ColumnCache implements MemoryCache {
  private final String tableName;
  private final Schema schema;
  private final List<VectorSchemaRoot> batches;
  private final long[] batchStart;
  private final StoragePositions positions;
  private final long rows;

  /**
   * Per column: no nulls in any cached batch (nor in a FixedSizeList's values) — computed once at
   * load.
   */
  private final boolean[] noNulls;

  private final long bytes;

  /** {@code frags}: the table's fragments in storage order, none with deleted rows. */
  private ColumnCache(
      String tableName,
      Schema schema,
      List<VectorSchemaRoot> batches,
      List<FragmentSize> frags,
      long bytes) {
    this.tableName = tableName;
    this.schema = schema;
    this.batches = batches;
    this.positions = new StoragePositions(tableName, frags);
    this.bytes = bytes;
    this.batchStart = new long[batches.size() + 1];
    for (int b = 0; b < batches.size(); b++) {
      batchStart[b + 1] = batchStart[b] + batches.get(b).getRowCount();
    }
    this.rows = batchStart[batches.size()];
    this.noNulls = new boolean[schema.getFields().size()];
    for (int c = 0; c < noNulls.length; c++) {
      boolean none = true;
      for (VectorSchemaRoot b : batches) {
        FieldVector v = b.getVector(c);
        none &=
            v.getNullCount() == 0
                && !(v instanceof FixedSizeListVector l && l.getDataVector().getNullCount() != 0);
      }
      noNulls[c] = none;
    }
  }

  /**
   * Loads {@code columns} of {@code table}, or returns null when they would take more than {@code
   * maxBytes} or the table has deleted rows (addresses would not be dense).
   */
  static ColumnCache load(
      ReadTable table, List<String> columns, long maxBytes, BufferAllocator allocator) {
    List<FragmentSize> frags = table.fragments();
    if (frags.stream().anyMatch(f -> f.numRows() != f.physicalRows())) {
      return null;
    }
    long pos = frags.stream().mapToLong(FragmentSize::numRows).sum();
    List<VectorSchemaRoot> batches = new ArrayList<>();
    long bytes = 0;
    Schema schema = null;
    try (ArrowReader r = table.scan(ReadScan.of(columns, 1 << 16).limit(pos), allocator)) {
      schema = r.getVectorSchemaRoot().getSchema();
      while (r.loadNextBatch()) {
        VectorSchemaRoot b = Rechunker.own(r.getVectorSchemaRoot());
        batches.add(b);
        for (FieldVector v : b.getFieldVectors()) {
          bytes += v.getBufferSize();
        }
        if (bytes > maxBytes) {
          batches.forEach(VectorSchemaRoot::close);
          return null;
        }
      }
    } catch (IOException e) {
      batches.forEach(VectorSchemaRoot::close);
      throw new UncheckedIOException("loading the memory cache of table '" + table.name() + "'", e);
    } catch (RuntimeException e) {
      batches.forEach(VectorSchemaRoot::close);
      throw e;
    }
    return new ColumnCache(table.name(), schema, batches, frags, bytes);
  }

  @Override
  public long bytes() {
    return bytes;
  }

  @Override
  public VectorSchemaRoot gatherAddresses(long[] addrs, BufferAllocator allocator) {
    return gather(positions.of(addrs, 0, addrs.length), allocator);
  }

  @Override
  public VectorSchemaRoot gather(long[] positions, BufferAllocator allocator) {
    int n = positions.length;
    int[] batchOf = new int[n];
    int[] rowOf = new int[n];
    for (int k = 0; k < n; k++) {
      long p = positions[k];
      if (p < 0 || p >= rows) {
        throw new IndexOutOfBoundsException(
            "row " + p + " out of range for table '" + tableName + "' (" + rows + " rows)");
      }
      int b = Arrays.binarySearch(batchStart, p);
      b = b >= 0 ? b : -b - 2;
      batchOf[k] = b;
      rowOf[k] = (int) (p - batchStart[b]);
    }
    VectorSchemaRoot out = VectorSchemaRoot.create(schema, allocator);
    try {
      for (int c = 0; c < schema.getFields().size(); c++) {
        FieldVector dst = out.getVector(c);
        if (!copyFixedWidth(c, dst, batchOf, rowOf)) {
          dst.setInitialCapacity(n);
          dst.allocateNew();
          for (int k = 0; k < n; k++) {
            dst.copyFromSafe(rowOf[k], k, batches.get(batchOf[k]).getVector(c));
          }
          dst.setValueCount(n);
        }
      }
      out.setRowCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /**
   * One memory copy per row for fixed-width (and FixedSizeList of fixed-width) columns without
   * nulls.
   */
  private boolean copyFixedWidth(int c, FieldVector dst, int[] batchOf, int[] rowOf) {
    int n = batchOf.length;
    if (!noNulls[c]) {
      return false;
    }
    if (dst instanceof BaseFixedWidthVector d && !(dst instanceof BitVector)) {
      int width = d.getTypeWidth();
      d.allocateNew(n);
      long to = d.getDataBufferAddress();
      for (int k = 0; k < n; k++) {
        BaseFixedWidthVector src = (BaseFixedWidthVector) batches.get(batchOf[k]).getVector(c);
        MemoryUtil.copyMemory(
            src.getDataBufferAddress() + (long) rowOf[k] * width, to + (long) k * width, width);
      }
      setAllValid(d.getValidityBufferAddress(), n);
      d.setValueCount(n);
      return true;
    }
    if (dst instanceof FixedSizeListVector d
        && d.getDataVector() instanceof BaseFixedWidthVector child
        && !(child instanceof BitVector)) {
      int rowBytes = d.getListSize() * child.getTypeWidth();
      d.setInitialCapacity(n);
      d.allocateNew();
      child.allocateNew(n * d.getListSize());
      long to = child.getDataBufferAddress();
      for (int k = 0; k < n; k++) {
        FixedSizeListVector s = (FixedSizeListVector) batches.get(batchOf[k]).getVector(c);
        BaseFixedWidthVector sc = (BaseFixedWidthVector) s.getDataVector();
        long from = sc.getDataBufferAddress() + (long) rowOf[k] * rowBytes;
        MemoryUtil.copyMemory(from, to + (long) k * rowBytes, rowBytes);
      }
      setAllValid(child.getValidityBufferAddress(), n * d.getListSize());
      child.setValueCount(n * d.getListSize());
      setAllValid(d.getValidityBufferAddress(), n);
      d.setValueCount(n);
      return true;
    }
    return false;
  }

  private static void setAllValid(long validity, int n) {
    int fullBytes = n / 8;
    MemoryUtil.setMemory(validity, fullBytes, (byte) 0xFF);
    if (n % 8 != 0) {
      MemoryUtil.putByte(validity + fullBytes, (byte) ((1 << (n % 8)) - 1));
    }
  }

  @Override
  public void close() {
    batches.forEach(VectorSchemaRoot::close);
    batches.clear();
  }
}
