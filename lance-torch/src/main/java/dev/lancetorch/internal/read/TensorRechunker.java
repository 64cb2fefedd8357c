package dev.lancetorch.internal.read;

import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.NativeScan;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Exact-size tensor batches straight from Lance's native Arrow C stream ({@link NativeScan}): no
 * Arrow Java import or export on the way. A batch inside one scan batch is a zero-copy view ({@code
 * narrow}); only a batch that spans two scan batches (at fragment ends) is concatenated, one copy.
 *
 * <p>Bounded read-ahead: Lance reads a scan ahead of its consumer (up to its whole I/O buffer),
 * holding that memory until the scan is released — also for an iterator left with {@code break}
 * until its Cleaner runs. So the rows are read as consecutive scans of at most {@code chunkRows}
 * rows each (a multiple of the batch size, so no batch spans two of them), one open at a time: a
 * scan never holds more than one chunk. Owns the open scan and closes it on {@link #close()}.
 */
public final class TensorRechunker implements AutoCloseable {
  /** Rows {@code [start, start + length)} of a scan batch. */
  public record Piece(NativeBatch batch, long start, long length) {}

  /** Opens a scan of storage-order rows {@code [start, start + count)}. */
  interface Opener {
    NativeScan open(long start, long count);
  }

  private final Opener opener;
  private final long chunkRows;
  private long nextStart; // first row of the next chunk
  private long left; // rows of the range not in a chunk opened yet
  private NativeScan scan;
  private NativeBatch current;
  private long position;

  /**
   * Scan batches fully handed out; closed at the next call (the last pieces may still point into
   * them).
   */
  private final List<NativeBatch> consumed = new ArrayList<>();

  /** Rows {@code [start, start + count)} in scans of at most {@code chunkRows} rows. */
  TensorRechunker(Opener opener, long start, long count, long chunkRows) {
    if (chunkRows <= 0) {
      throw new IllegalArgumentException("chunkRows must be > 0: " + chunkRows);
    }
    this.opener = opener;
    this.chunkRows = chunkRows;
    this.nextStart = start;
    this.left = count;
    this.scan = openChunk();
  }

  /** Opens the next chunk's scan, or returns null when the range is done. */
  private NativeScan openChunk() {
    if (left <= 0) {
      return null;
    }
    long n = Math.min(left, chunkRows);
    NativeScan s = opener.open(nextStart, n);
    nextStart += n;
    left -= n;
    return s;
  }

  /** The next batch of the range: from the open chunk, else from the next one; null at the end. */
  private NativeBatch nextBatch() {
    while (scan != null) {
      NativeBatch b = scan.next();
      if (b != null) {
        return b;
      }
      scan.close();
      scan = null; // a failing open leaves nothing to close
      scan = openChunk();
    }
    return null;
  }

  /**
   * The next {@code n} rows (fewer at the end) as pieces of scan batches, or an empty list at the
   * end.
   */
  public List<Piece> next(int n) {
    closeConsumed();
    List<Piece> pieces = new ArrayList<>();
    long need = n;
    while (need > 0) {
      if (current == null || position == current.numRows()) {
        if (current != null) {
          consumed.add(current); // tensors taken from it keep its data alive
        }
        current = nextBatch();
        position = 0;
        if (current == null) {
          break;
        }
        continue;
      }
      long k = Math.min(need, current.numRows() - position);
      pieces.add(new Piece(current, position, k));
      position += k;
      need -= k;
    }
    return pieces;
  }

  /**
   * One tensor from the pieces: {@code part} makes the tensor of a whole scan batch (rows along
   * {@code dim}); it is narrowed to each piece and the pieces concatenated when there are several.
   * The caller owns the result.
   */
  public static Tensor assemble(List<Piece> pieces, int dim, Function<NativeBatch, Tensor> part) {
    List<Tensor> views = new ArrayList<>(pieces.size());
    try {
      for (Piece p : pieces) {
        Tensor whole = part.apply(p.batch());
        if (p.start() == 0 && p.length() == p.batch().numRows()) {
          views.add(whole);
        } else {
          try (whole) {
            views.add(whole.narrow(dim, p.start(), p.length()));
          }
        }
      }
      if (views.size() == 1) {
        Tensor only = views.get(0);
        views.clear();
        return only;
      }
      try (TensorVector v = new TensorVector(views.toArray(new Tensor[0]))) {
        return torch.cat(v, dim);
      }
    } finally {
      views.forEach(Tensor::close);
    }
  }

  private void closeConsumed() {
    consumed.forEach(NativeBatch::close);
    consumed.clear();
  }

  @Override
  public void close() {
    try {
      closeConsumed();
      if (current != null) {
        current.close();
        current = null;
      }
    } finally {
      if (scan != null) {
        scan.close();
        scan = null;
      }
      left = 0;
    }
  }
}
