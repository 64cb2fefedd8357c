package dev.lancetorch.internal.read;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.memory.ScanMemory;
import dev.lancetorch.internal.memory.TensorMemory;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Reads rows of a permutation's base table, choosing the path by the shape of the request:
 *
 * <ul>
 *   <li>contiguous runs of storage order (identity windows, or an address batch that is one run
 *       inside a fragment without deletions): a Lance scan of just that range — zero-copy through
 *       the Arrow C Data Interface;
 *   <li>anything else: one Lance take by row address for the whole batch, results put back in the
 *       order asked.
 * </ul>
 *
 * Every root returned is owned by the caller. Columns come back in the order selected; {@code
 * _rowid} may be selected and is then the base row address.
 */
public final class RowReader {
  public static final String ROW_ID = "_rowid";

  private final ReadTable table;
  private final List<String> columns;
  private final List<String> dataColumns;
  private final boolean withRowId;
  private final CacheHolder cache;
  private final BufferAllocator allocator;
  private volatile List<FragmentSize> fragments;

  /**
   * @param allocator where the roots of {@link #read} and {@link #readOffsets} are allocated
   *     (borrowed): the table's allocator for Arrow batches, {@link TensorMemory#ALLOCATOR} for
   *     batches only tensors will keep alive
   */
  public RowReader(
      ReadTable table, List<String> columns, CacheHolder cache, BufferAllocator allocator) {
    this.table = table;
    this.cache = cache;
    this.allocator = allocator;
    this.columns = List.copyOf(columns);
    this.dataColumns = columns.stream().filter(c -> !c.equals(ROW_ID)).toList();
    this.withRowId = columns.contains(ROW_ID);
  }

  /**
   * A sequential scan of storage-order rows {@code [start, start + count)} cut into batches of
   * {@code batchSize}.
   */
  public Rechunker scan(long start, long count, int batchSize) {
    return new Rechunker(table.scan(rangeScan(start, count, batchSize), null)) {
      @Override
      public VectorSchemaRoot next(int n) {
        VectorSchemaRoot r = super.next(n);
        return r == null ? null : project(r);
      }
    };
  }

  /**
   * As {@link #scan} but straight into tensors: Lance's native Arrow C stream, no Arrow Java on the
   * way (for the tensor formats of identity windows). Each Lance scan covers at most {@code
   * maxScanBytes} of rows (estimated from the columns' widths; at least one batch), so what a scan
   * reads ahead — and what an abandoned iterator holds until its Cleaner runs — stays within it;
   * {@code 0}: one scan of the whole range (Lance's own read-ahead).
   */
  public TensorRechunker tensorScan(long start, long count, int batchSize, long maxScanBytes) {
    if (maxScanBytes <= 0) {
      return new TensorRechunker(
          (s, n) -> table.nativeScan(rangeScan(s, n, batchSize)), start, count, Long.MAX_VALUE);
    }
    long rowBytes = Math.max(1, ScanMemory.estimate(table.schema(), dataColumns, 1));
    long batches = Math.max(1, maxScanBytes / rowBytes / batchSize);
    long chunkRows = batches > Long.MAX_VALUE / batchSize ? Long.MAX_VALUE : batches * batchSize;
    return new TensorRechunker(
        (s, n) -> table.nativeScan(rangeScan(s, n, batchSize)), start, count, chunkRows);
  }

  /** The scan of this reader's columns over storage-order rows {@code [start, start + count)}. */
  private ReadScan rangeScan(long start, long count, int batchSize) {
    return ReadScan.of(dataColumns, batchSize).withRowId(withRowId).offset(start).limit(count);
  }

  /** The rows at these base row addresses, in order. */
  public VectorSchemaRoot read(long[] addrs) {
    MemoryCache c = cached();
    if (c != null) {
      return withRowIds(c.gatherAddresses(addrs, allocator), addrs);
    }
    FragmentSize run = contiguousRun(addrs);
    if (run != null) {
      int offset = (int) addrs[0];
      try (Rechunker r =
          new Rechunker(
              table.scan(
                  ReadScan.of(dataColumns, addrs.length)
                      .fragment(run.id())
                      .offset(offset)
                      .limit(addrs.length),
                  allocator))) {
        return withRowIds(r.next(addrs.length), addrs);
      }
    }
    return withRowIds(table.takeRowIds(addrs, dataColumns, allocator), addrs);
  }

  /** Rows at arbitrary storage-order offsets (identity selections, map-style access), in order. */
  public VectorSchemaRoot readOffsets(long[] offsets) {
    MemoryCache c = cached();
    if (c != null) {
      VectorSchemaRoot root = c.gather(offsets, allocator);
      return withRowId ? withRowIds(root, addressesOfOffsets(offsets)) : project(root);
    }
    if (!withRowId) {
      return project(table.takeOffsets(offsets, dataColumns, allocator));
    }
    long[] addrs = addressesOfOffsets(offsets);
    return withRowIds(table.takeRowIds(addrs, dataColumns, allocator), addrs);
  }

  /** The memory cache of the data columns, when enabled and they fit. */
  public MemoryCache cached() {
    return cache == null || dataColumns.isEmpty() ? null : cache.get(table, dataColumns);
  }

  /**
   * The fragment if {@code addrs} is one run of consecutive offsets inside a fragment with no
   * deletions.
   */
  private FragmentSize contiguousRun(long[] addrs) {
    if (addrs.length < 2) {
      return null;
    }
    for (int k = 1; k < addrs.length; k++) {
      if (addrs[k] != addrs[k - 1] + 1) {
        return null;
      }
    }
    int frag = (int) (addrs[0] >>> 32);
    if ((addrs[addrs.length - 1] >>> 32) != frag) {
      return null;
    }
    for (FragmentSize f : fragments()) {
      if (f.id() == frag) {
        return f.numRows() == f.physicalRows() ? f : null;
      }
    }
    return null;
  }

  private List<FragmentSize> fragments() {
    List<FragmentSize> f = fragments;
    if (f == null) {
      f = table.fragments();
      fragments = f;
    }
    return f;
  }

  /** Base row addresses of storage-order offsets (tables whose fragments have no deleted rows). */
  private long[] addressesOfOffsets(long[] offsets) {
    List<FragmentSize> frags = fragments();
    long[] starts = new long[frags.size() + 1];
    for (int k = 0; k < frags.size(); k++) {
      if (frags.get(k).numRows() != frags.get(k).physicalRows()) {
        throw new UnsupportedOperationException(
            "selecting _rowid by offset on table '"
                + table.name()
                + "' with deleted rows: build a permutation (PermutationBuilder) instead");
      }
      starts[k + 1] = starts[k] + frags.get(k).numRows();
    }
    long[] out = new long[offsets.length];
    for (int k = 0; k < offsets.length; k++) {
      int idx = java.util.Arrays.binarySearch(starts, offsets[k]);
      int frag = idx >= 0 ? idx : -idx - 2;
      while (frag < frags.size() - 1 && starts[frag + 1] <= offsets[k]) {
        frag++;
      }
      if (offsets[k] < 0 || frag >= frags.size()) {
        throw new IndexOutOfBoundsException(
            "offset "
                + offsets[k]
                + " out of range for table '"
                + table.name()
                + "' with "
                + starts[frags.size()]
                + " rows");
      }
      out[k] = ((long) frags.get(frag).id() << 32) | (offsets[k] - starts[frag]);
    }
    return out;
  }

  /**
   * Adds the {@code _rowid} column (base row addresses) when selected, and orders columns as
   * selected.
   */
  private VectorSchemaRoot withRowIds(VectorSchemaRoot root, long[] addrs) {
    if (!withRowId) {
      return project(root);
    }
    List<FieldVector> vectors = new ArrayList<>(root.getFieldVectors());
    List<Field> fields = new ArrayList<>(root.getSchema().getFields());
    UInt8Vector ids = new UInt8Vector(ROW_ID, allocator);
    ids.allocateNew(addrs.length);
    for (int k = 0; k < addrs.length; k++) {
      ids.set(k, addrs[k]);
    }
    ids.setValueCount(addrs.length);
    vectors.add(ids);
    fields.add(ids.getField());
    int rows = root.getRowCount();
    return project(new VectorSchemaRoot(fields, vectors, rows));
  }

  /** The same vectors (ownership moves to the result) in the selected column order. */
  private VectorSchemaRoot project(VectorSchemaRoot root) {
    List<Field> fields = root.getSchema().getFields();
    boolean inOrder = fields.size() == columns.size();
    for (int k = 0; inOrder && k < fields.size(); k++) {
      inOrder = fields.get(k).getName().equals(columns.get(k));
    }
    if (inOrder) {
      return root;
    }
    List<FieldVector> vectors = new ArrayList<>(columns.size());
    for (String c : columns) {
      FieldVector v = root.getVector(c);
      if (v == null) {
        root.close();
        throw new IllegalStateException(
            "column '" + c + "' missing from the read of table '" + table.name() + "'");
      }
      vectors.add(v);
    }
    return new VectorSchemaRoot(vectors);
  }
}
