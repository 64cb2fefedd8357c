package dev.lancetorch.internal.read;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.bridge.FragmentSources;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.NativeScan;
import dev.lancetorch.internal.bridge.TorchGather;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * An in-memory copy of some fixed-width columns of a table (see {@link ReadColumns}) in native
 * memory: the batches of one sequential Lance scan, kept as they came through the native Arrow C
 * stream (no Arrow Java, no copy). Shuffled rows are gathered from it natively ({@link
 * TorchGather}) straight into output batches.
 *
 * <p>Accounted and bounded: {@link #bytes()} is the payload held (values and validity bitmaps); a
 * load that would exceed its budget stops and frees what it read; {@link #liveBytes()} is the total
 * of every cache alive in this JVM. Owns the scanned batches until {@link #close()} (idempotent).
 * Gathers may run concurrently from several threads; {@code close} must not overlap them (the
 * owner, {@link SharedColumnCaches}, guarantees it).
 */
public final class NativeColumnCache implements MemoryCache {
  private static final AtomicLong LIVE_BYTES = new AtomicLong();

  private final String tableName;
  private final ReadColumns cols;
  private final List<NativeBatch> batches;
  private final long[] starts;
  private final StoragePositions positions;
  private final FragmentSources sources; // over `batches` (null when empty)
  private final long bytes;
  private boolean closed;

  private NativeColumnCache(
      String tableName,
      ReadColumns cols,
      List<NativeBatch> batches,
      List<FragmentSize> frags,
      long bytes) {
    this.tableName = tableName;
    this.cols = cols;
    this.batches = batches;
    this.starts = new long[batches.size() + 1];
    for (int b = 0; b < batches.size(); b++) {
      starts[b + 1] = starts[b] + batches.get(b).numRows();
    }
    this.positions = new StoragePositions(tableName, frags);
    this.sources =
        batches.isEmpty()
            ? null
            : FragmentSources.ofStorageOrder(batches, positions.startById(), positions.rowsById());
    this.bytes = bytes;
    LIVE_BYTES.addAndGet(bytes);
  }

  /**
   * Loads {@code cols} of {@code table}, or returns null when they would take more than {@code
   * maxBytes}, a column is not fixed-width, or the table has deleted rows (addresses would not map
   * to dense positions).
   */
  static NativeColumnCache load(ReadTable table, List<String> columns, long maxBytes) {
    ReadColumns cols = ReadColumns.of(table.schema(), columns);
    List<FragmentSize> frags = table.fragments();
    if (cols == null
        || !cols.fixedWidth()
        || cols.addressColumn() >= 0
        || frags.stream().anyMatch(f -> f.numRows() != f.physicalRows())) {
      return null;
    }
    long rows = frags.stream().mapToLong(FragmentSize::numRows).sum();
    List<NativeBatch> batches = new ArrayList<>();
    long bytes = 0;
    try (NativeScan scan = table.nativeScan(ReadScan.of(cols.dataColumns(), 1 << 16).limit(rows))) {
      NativeBatch b;
      while ((b = scan.next()) != null) {
        batches.add(b);
        bytes += b.payloadBytes();
        if (bytes > maxBytes) {
          batches.forEach(NativeBatch::close);
          return null;
        }
      }
    } catch (RuntimeException | Error e) {
      batches.forEach(NativeBatch::close);
      throw e;
    }
    long got = batches.stream().mapToLong(NativeBatch::numRows).sum();
    if (got != rows) {
      batches.forEach(NativeBatch::close);
      throw new IllegalStateException(
          "memory cache of table '"
              + table.name()
              + "': the scan returned "
              + got
              + " rows where the fragments hold "
              + rows);
    }
    return new NativeColumnCache(table.name(), cols, batches, frags, bytes);
  }

  @Override
  public long bytes() {
    return bytes;
  }

  /** Bytes held by every native memory cache alive in this JVM. */
  public static long liveBytes() {
    return LIVE_BYTES.get();
  }

  /**
   * The cached batches as sources of gathers by row address (borrowed from this cache: valid until
   * {@link #close()}, which must not overlap the gathers); null for a table without rows.
   *
   * @throws IllegalStateException once closed
   */
  FragmentSources sources() {
    if (closed) {
      throw new IllegalStateException("the memory cache of table '" + tableName + "' is closed");
    }
    return sources;
  }

  /**
   * Copies rows at storage-order {@code positions[0, n)} into {@code g} at {@code dstPos[0, n)}.
   */
  void gatherPositions(TorchGather g, long[] positions, long[] dstPos, int n) {
    if (closed) {
      throw new IllegalStateException("the memory cache of table '" + tableName + "' is closed");
    }
    g.fromBatches(batches, starts, positions, dstPos, 0, n);
  }

  @Override
  public VectorSchemaRoot gather(long[] rows, BufferAllocator allocator) {
    for (long p : rows) {
      if (p < 0 || p >= starts[starts.length - 1]) {
        throw new IndexOutOfBoundsException(
            "row "
                + p
                + " out of range for table '"
                + tableName
                + "' ("
                + starts[starts.length - 1]
                + " rows)");
      }
    }
    int n = rows.length;
    if (n == 0) {
      VectorSchemaRoot empty = VectorSchemaRoot.create(cols.schema(), allocator);
      empty.setRowCount(0);
      return empty;
    }
    try (TorchGather g = TorchGather.create(cols.names(), -1, n, n)) {
      long[] dst = new long[n];
      for (int i = 0; i < n; i++) {
        dst[i] = i;
      }
      gatherPositions(g, rows, dst, n);
      try (NativeBatch b = g.finish(0)) {
        return b.toArrow(cols.schema(), allocator);
      }
    }
  }

  @Override
  public VectorSchemaRoot gatherAddresses(long[] addrs, BufferAllocator allocator) {
    return gather(positions.of(addrs, 0, addrs.length), allocator);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      batches.forEach(NativeBatch::close);
      batches.clear();
      LIVE_BYTES.addAndGet(-bytes);
    }
  }
}
