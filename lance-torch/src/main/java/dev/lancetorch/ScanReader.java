package dev.lancetorch;

import dev.lancetorch.internal.arrow.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.lance.ipc.LanceScanner;

/**
 * The reader returned by {@link Query#toArrowReader}: moves each batch of Lance's C-stream reader
 * into its own root with transfer pairs (zero copy), and on close releases the stream, the scanner
 * and the snapshot lease it holds, in that order, exactly once.
 */
final class ScanReader extends ArrowReader {
  private final ArrowReader inner;
  private final LanceScanner scanner;
  private final Snapshot.Lease lease;
  private final String table;
  private final String uri;

  /**
   * @param inner Lance's reader; <b>transferred</b>
   * @param scanner its scanner (or null); <b>transferred</b>
   * @param lease the snapshot read; <b>transferred</b>
   * @param table the table name, for errors
   * @param uri the table's dataset uri, for errors
   */
  public ScanReader(
      BufferAllocator allocator,
      ArrowReader inner,
      LanceScanner scanner,
      Snapshot.Lease lease,
      String table,
      String uri) {
    super(allocator);
    this.inner = inner;
    this.scanner = scanner;
    this.lease = lease;
    this.table = table;
    this.uri = uri;
  }

  /**
   * @throws LanceIoException when Lance cannot read the data (a storage fault)
   */
  @Override
  public boolean loadNextBatch() throws IOException {
    VectorSchemaRoot dst = getVectorSchemaRoot();
    boolean more;
    try {
      more = inner.loadNextBatch();
    } catch (IOException | UncheckedIOException e) {
      throw new LanceIoException(
          "reading table '" + table + "' (" + uri + ") failed: " + e.getMessage(), table, uri, e);
    }
    if (!more) {
      dst.setRowCount(0);
      return false;
    }
    VectorSchemaRoot src = inner.getVectorSchemaRoot();
    for (int i = 0; i < src.getFieldVectors().size(); i++) {
      src.getVector(i).makeTransferPair(dst.getVector(i)).transfer();
    }
    dst.setRowCount(src.getRowCount());
    return true;
  }

  @Override
  public long bytesRead() {
    return inner.bytesRead();
  }

  private boolean sourceClosed;

  /**
   * Idempotent: Arrow's C stream export closes the reader too when its consumer releases the
   * stream.
   */
  @Override
  protected void closeReadSource() throws IOException {
    if (sourceClosed) {
      return;
    }
    sourceClosed = true;
    try {
      inner.close();
    } finally {
      closeScannerAndLease(scanner, lease);
    }
  }

  @Override
  protected Schema readSchema() throws IOException {
    return inner.getVectorSchemaRoot().getSchema();
  }

  public static void closeScannerAndLease(LanceScanner scanner, Snapshot.Lease lease) {
    try {
      if (scanner != null) {
        scanner.close();
      }
    } catch (Exception e) {
      throw new IllegalStateException("closing a Lance scanner failed", e);
    } finally {
      lease.close();
    }
  }
}
