package dev.lancetorch.permutation;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Batches of a {@link Permutation} in order. Identity permutations stream one Lance scan (re-chunked to the exact
 * batch size); explicit orders read one batch at a time. Holds the scan open until exhausted or {@link #close()}d:
 * close it when you stop early (closing twice is safe). Each batch returned is owned by the caller.
 *
 * @param <T> the batch type
 */
public final class BatchIterator<T> implements Iterator<T>, AutoCloseable {
  private final Permutation<T> permutation;
  private final int batchSize;
  private final long end;
  private long position;
  private Rechunker scan;
  private TensorRechunker tensorScan;
  private boolean closed;

  BatchIterator(Permutation<T> permutation, int batchSize, boolean skipLastBatch) {
    this.permutation = permutation;
    this.batchSize = batchSize;
    long n = permutation.numRows();
    this.end = skipLastBatch ? n - n % batchSize : n;
  }

  @Override
  public boolean hasNext() {
    if (closed) {
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
    if (!hasNext()) {
      throw new NoSuchElementException("no more batches");
    }
    int n = (int) Math.min(batchSize, end - position);
    VectorSchemaRoot root;
    RowSelection sel = permutation.selection();
    if (permutation.readsTensorsNatively()) {
      RowSelection.Identity id = (RowSelection.Identity) sel;
      if (tensorScan == null) {
        tensorScan = permutation.reader().tensorScan(id.start + position, end - position, batchSize);
      }
      java.util.List<TensorRechunker.Piece> pieces = tensorScan.next(n);
      long got = pieces.stream().mapToLong(TensorRechunker.Piece::length).sum();
      if (got != n) {
        close();
        throw shortRead(got, n);
      }
      position += n;
      return permutation.format(pieces);
    }
    if (sel instanceof RowSelection.Identity id) {
      if (scan == null) {
        scan = permutation.reader().scan(id.start + position, end - position, batchSize);
      }
      root = scan.next(n);
      if (root == null || root.getRowCount() != n) {
        int got = root == null ? 0 : root.getRowCount();
        if (root != null) {
          root.close();
        }
        close();
        throw shortRead(got, n);
      }
    } else {
      root = permutation.reader().read(((RowSelection.Addresses) sel).slice(position, position + n));
    }
    position += n;
    return permutation.format(root);
  }

  private IllegalStateException shortRead(long got, int n) {
    return new IllegalStateException("scan of table '" + permutation.openTable().name() + "' returned " + got
        + " rows where " + n + " were expected at position " + position + " (table changed under a pinned read?)");
  }

  /** Rows already returned. */
  public long position() {
    return position;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (scan != null) {
        scan.close();
        scan = null;
      }
      if (tensorScan != null) {
        tensorScan.close();
        tensorScan = null;
      }
    }
  }
}
