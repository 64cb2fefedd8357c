package dev.lancetorch.permutation;

import dev.lancetorch.internal.memory.Cleaners;
import dev.lancetorch.internal.read.Rechunker;
import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.internal.read.TensorRechunker;
import dev.lancetorch.internal.read.WindowReader;
import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Batches of a {@link Permutation} in order. Identity permutations stream one Lance scan
 * (re-chunked to the exact batch size); explicit orders are read a window of batches at a time by
 * the read planner ({@link Permutation#withReadAhead}) or one batch at a time. Each batch returned
 * is owned by the caller.
 *
 * <p><b>Lifetime of the open scan</b> (a Lance scanner, its Arrow C stream, the scan batch being
 * cut and the table snapshot it reads; or the planner's window of batches not returned yet). It is
 * released exactly once, by the first of:
 *
 * <ul>
 *   <li>the last batch being returned (a for-each that runs to the end releases everything);
 *   <li>{@link #close()} (idempotent; use try-with-resources to stop early deterministically);
 *   <li>a read failing: the exception is thrown after the scan is released;
 *   <li>{@link Permutation#close()} of the handle that made it, or of the handle that owns the
 *       table (a reopened or deserialized permutation; that closes the iterators of all its
 *       copies): a {@code next()} in progress finishes, later {@code next()} calls throw {@link
 *       IllegalStateException};
 *   <li>the iterator becoming unreachable (a for-each left with {@code break}): a {@link Cleaner}
 *       releases it after the next garbage collection.
 * </ul>
 *
 * Batches already returned stay valid in every case. What an open scan holds is bounded: a tensor
 * format's identity scan is read as consecutive Lance scans of at most the permutation's {@link
 * Permutation#withReadAhead read-ahead budget} of rows each (Lance reads a scan ahead of its
 * consumer), and open scans are counted where the bridge's back-pressure sees them ({@code
 * BridgeStats.bytesLive}), so abandoned iterators trigger the collection that releases them. After
 * the release {@link #hasNext()} is false and {@link #next()} throws {@link IllegalStateException}
 * (or {@link NoSuchElementException} after the last batch). Not for use by several threads at once.
 *
 * @param <T> the batch type
 */
public final class BatchIterator<T> implements Iterator<T>, AutoCloseable {
  private final Permutation<T> permutation;
  private final int batchSize;
  private final long end;
  private final OpenReads reads;
  private final Cleaner.Cleanable cleanable;
  private long position;
  private final WindowReader.Stats stats = new WindowReader.Stats();

  BatchIterator(Permutation<T> permutation, int batchSize, boolean skipLastBatch) {
    this(
        permutation,
        batchSize,
        0,
        skipLastBatch
            ? permutation.numRows() - permutation.numRows() % batchSize
            : permutation.numRows());
  }

  /** Batches of rows {@code [start, end)} of the permutation (a loader's sequential plan). */
  BatchIterator(Permutation<T> permutation, int batchSize, long start, long end) {
    this.permutation = permutation;
    this.batchSize = batchSize;
    this.end = end;
    this.position = start;
    this.reads = new OpenReads(permutation.closer(), permutation.openReads());
    this.cleanable = Cleaners.CLEANER.register(this, reads);
  }

  @Override
  public boolean hasNext() {
    if (reads.isClosed()) {
      return false;
    }
    if (position >= end) {
      close();
      return false;
    }
    return true;
  }

  @Override
  public T next() {
    if (position >= end) {
      throw new NoSuchElementException("no more batches");
    }
    if (reads.isClosed()) {
      throw new IllegalStateException(
          "the iterator is closed (by close(), a failed read or its permutation's close)");
    }
    int n = (int) Math.min(batchSize, end - position);
    T batch;
    synchronized (reads) {
      try {
        batch = read(n);
      } catch (RuntimeException | Error e) {
        close();
        throw e;
      }
    }
    position += n;
    if (position >= end) {
      close(); // the caller owns the batch; the scan behind it is no longer needed
    }
    return batch;
  }

  /** Must hold the lock of {@link #reads}. */
  private T read(int n) {
    reads.checkOpen();
    RowSelection sel = permutation.selection();
    if (permutation.reading().readsTensorsNatively()) {
      if (reads.tensorScan == null) {
        reads.tensorScan =
            permutation
                .reading()
                .rows()
                .tensorScan(
                    sel.scanStart() + position,
                    end - position,
                    batchSize,
                    permutation.readAheadBytes());
      }
      List<TensorRechunker.Piece> pieces = reads.tensorScan.next(n);
      long got = pieces.stream().mapToLong(TensorRechunker.Piece::length).sum();
      if (got != n) {
        throw shortRead(got, n);
      }
      return permutation.reading().format(pieces);
    }
    VectorSchemaRoot root;
    if (sel.scansInOrder()) {
      if (reads.scan == null) {
        reads.scan =
            permutation
                .reading()
                .rows()
                .scan(sel.scanStart() + position, end - position, batchSize);
      }
      root = reads.scan.next(n);
      if (root == null || root.getRowCount() != n) {
        int got = root == null ? 0 : root.getRowCount();
        if (root != null) {
          root.close();
        }
        throw shortRead(got, n);
      }
    } else {
      if (!reads.plannerChecked) {
        reads.plannerChecked = true;
        // a batch larger than the rows left is those rows (no overflow in the planner's sizes)
        int size = (int) Math.min(batchSize, end - position);
        // the rows' addresses are copied a window at a time (not 8 bytes a row of the whole run)
        reads.windows =
            permutation
                .reading()
                .windowReader(sel.planned(position, end, size, permutation.readTable()), stats);
      }
      if (reads.windows != null) {
        dev.lancetorch.internal.bridge.NativeBatch b = reads.windows.next();
        if (b == null || b.numRows() != n) {
          long got = b == null ? 0 : b.numRows();
          if (b != null) {
            b.close();
          }
          throw shortRead(got, n);
        }
        return permutation.reading().format(b);
      }
      root =
          permutation
              .reading()
              .rows()
              .read(sel.addresses(position, position + n, permutation.readTable()));
    }
    return permutation.reading().format(root);
  }

  private IllegalStateException shortRead(long got, int n) {
    return new IllegalStateException(
        "scan of table '"
            + permutation.openTable().name()
            + "' returned "
            + got
            + " rows where "
            + n
            + " were expected at position "
            + position
            + " (table changed under a pinned read?)");
  }

  /** What the read planner did so far (for tests). */
  WindowReader.Stats readStats() {
    return stats;
  }

  /** Rows already returned. */
  public long position() {
    return position;
  }

  /** Releases the open scan, if any (idempotent); batches already returned stay valid. */
  @Override
  public void close() {
    cleanable.clean();
  }

  /**
   * What an iterator holds open. Never references the iterator (or the Cleaner could not run);
   * registered with the permutation handle's {@link TableCloser} while open, so closing the handle
   * closes it first.
   */
  static final class OpenReads implements Runnable {
    private final TableCloser owner;
    private final java.util.Set<OpenReads> handle;
    private Rechunker scan;
    private TensorRechunker tensorScan;
    private WindowReader windows;
    private boolean plannerChecked;
    private boolean closed;

    /**
     * Registers with {@code owner} (the table handle's iterators) and {@code handle} (those of the
     * permutation handle that opened it, closed by its {@link Permutation#close()}).
     */
    OpenReads(TableCloser owner, java.util.Set<OpenReads> handle) {
      this.owner = owner;
      this.handle = handle;
      owner.opened(this);
      handle.add(this);
    }

    synchronized boolean isClosed() {
      return closed;
    }

    void checkOpen() {
      if (closed) {
        throw new IllegalStateException(
            "the iterator was closed while reading (its permutation handle was closed)");
      }
    }

    /**
     * Releases the scans exactly once; called through the iterator's Cleanable or by the owner's
     * close.
     */
    @Override
    public synchronized void run() {
      if (closed) {
        return;
      }
      closed = true;
      owner.forget(this);
      handle.remove(this);
      try {
        if (scan != null) {
          scan.close();
        }
      } finally {
        scan = null;
        try {
          if (tensorScan != null) {
            tensorScan.close();
          }
        } finally {
          tensorScan = null;
          if (windows != null) {
            windows.close();
            windows = null;
          }
        }
      }
    }
  }
}
