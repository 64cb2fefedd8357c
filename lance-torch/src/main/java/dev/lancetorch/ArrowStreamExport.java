package dev.lancetorch;

import dev.lancetorch.internal.arrow.Snapshot;
import org.apache.arrow.c.ArrowArrayStream;
import org.lance.ipc.LanceScanner;

/**
 * A scan exported as an Arrow C stream ({@code struct ArrowArrayStream}), from {@link
 * Query#exportArrowStream}. For native consumers (the torch bridge, a C++ reader): they take the
 * stream at {@link #streamAddress()}, usually by <em>moving</em> its contents out (then the struct
 * here is marked released), and release it when done.
 *
 * <p>Ownership: this object <b>owns</b> the stream struct's memory and, for {@link
 * Source#LANCE_NATIVE}, the Lance scanner and the table snapshot lease behind the stream. {@link
 * #close()} (idempotent, exactly once) releases the stream if nobody moved it out, frees the
 * struct, then closes the scanner and the lease. Close it only <em>after</em> the consumer has
 * released a moved-out stream: the scanner stays open for the stream's whole lifetime. For {@link
 * Source#JAVA_EXPORT} the stream owns its Java reader (and that reader the scanner and lease):
 * releasing the stream closes them.
 */
public final class ArrowStreamExport implements AutoCloseable {
  /** Where the stream's batches are produced. */
  public enum Source {
    /** Lance's own Rust stream (no Java on the batch path). */
    LANCE_NATIVE,
    /** Arrow Java's exporter over {@link Query#toArrowReader} (each batch goes through Java). */
    JAVA_EXPORT
  }

  private final Source source;
  private final ArrowArrayStream stream;
  private final LanceScanner scanner;
  private final Snapshot.Lease lease;
  private final long rows;
  private final long estimatedBytes;
  private final String table;
  private final String uri;
  private boolean closed;

  ArrowStreamExport(
      Source source,
      ArrowArrayStream stream,
      LanceScanner scanner,
      Snapshot.Lease lease,
      long rows,
      long estimatedBytes,
      String table,
      String uri) {
    this.source = source;
    this.stream = stream;
    this.scanner = scanner;
    this.lease = lease;
    this.rows = rows;
    this.estimatedBytes = estimatedBytes;
    this.table = table;
    this.uri = uri;
  }

  /**
   * @return at most how many rows the stream yields (before a filter), -1 when unknown
   */
  public long rowsBound() {
    return rows;
  }

  /**
   * @return an estimate of the memory the producer reads ahead into while the stream is open (see
   *     {@code ScanMemory}): the scan's rows × its columns' widths, capped at Lance's I/O buffer; 0
   *     when unknown
   */
  public long estimatedBytes() {
    return estimatedBytes;
  }

  /**
   * The exception for a failure of the stream's producer (Lance could not read the table's data: a
   * corrupted, truncated or missing file), as the consumer met it.
   *
   * @param failure what reading the stream threw
   * @return a {@link LanceIoException} naming the table and its uri, {@code failure} as cause
   */
  public LanceIoException readFailure(RuntimeException failure) {
    return new LanceIoException(
        "reading table '" + table + "' (" + uri + ") failed: " + failure.getMessage(),
        table,
        uri,
        failure);
  }

  /**
   * @return how the stream is produced
   */
  public Source source() {
    return source;
  }

  /**
   * @return address of the {@code struct ArrowArrayStream} (valid until {@link #close()})
   * @throws IllegalStateException if closed
   */
  public synchronized long streamAddress() {
    if (closed) {
      throw new IllegalStateException("ArrowStreamExport is closed");
    }
    return stream.memoryAddress();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (stream.snapshot().release != 0) {
        stream.release();
      }
    } finally {
      try {
        stream.close();
      } finally {
        if (lease != null) {
          ScanReader.closeScannerAndLease(scanner, lease);
        }
      }
    }
  }
}
