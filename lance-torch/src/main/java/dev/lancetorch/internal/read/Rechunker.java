package dev.lancetorch.internal.read;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.util.TransferPair;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

/**
 * Turns the batches of a scan (sizes chosen by Lance, cut at fragment boundaries) into batches of
 * exactly the size asked. A scan batch that fits is handed over whole (buffer ownership
 * transferred, no copy); a batch that is cut is sliced (buffers shared, no copy); only a batch
 * spanning two scan batches is concatenated (one copy).
 *
 * <p>Owns the reader and closes it on {@link #close()}; every returned root is owned by the caller.
 */
public class Rechunker implements AutoCloseable {
  private final ArrowReader reader;
  private VectorSchemaRoot current;
  private int position;
  private boolean exhausted;

  Rechunker(ArrowReader reader) {
    this.reader = reader;
  }

  /**
   * The next {@code n} rows (fewer at the end of the scan), or {@code null} when the scan is done.
   */
  public VectorSchemaRoot next(int n) {
    List<VectorSchemaRoot> pieces = new ArrayList<>();
    int need = n;
    try {
      while (need > 0) {
        if (current == null || position == current.getRowCount()) {
          closeCurrent();
          if (exhausted || !reader.loadNextBatch()) {
            exhausted = true;
            break;
          }
          current = own(reader.getVectorSchemaRoot());
          position = 0;
          continue;
        }
        int k = Math.min(need, current.getRowCount() - position);
        if (position == 0 && k == current.getRowCount()) {
          pieces.add(current);
          current = null;
        } else {
          pieces.add(slice(current, position, k));
          position += k;
        }
        need -= k;
      }
      return concat(pieces);
    } catch (IOException e) {
      pieces.forEach(VectorSchemaRoot::close);
      throw new UncheckedIOException("scan failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      pieces.forEach(VectorSchemaRoot::close);
      throw e;
    }
  }

  /** Moves the reader's current buffers into a root the caller owns (no copy). */
  static VectorSchemaRoot own(VectorSchemaRoot src) {
    List<FieldVector> out = new ArrayList<>(src.getFieldVectors().size());
    for (FieldVector v : src.getFieldVectors()) {
      TransferPair tp = v.getTransferPair(v.getAllocator());
      tp.transfer();
      out.add((FieldVector) tp.getTo());
    }
    int rows = src.getRowCount();
    src.setRowCount(0);
    return new VectorSchemaRoot(src.getSchema().getFields(), out, rows);
  }

  /** Rows {@code [start, start + len)} of {@code src} as a new root sharing its buffers. */
  static VectorSchemaRoot slice(VectorSchemaRoot src, int start, int len) {
    List<FieldVector> out = new ArrayList<>(src.getFieldVectors().size());
    for (FieldVector v : src.getFieldVectors()) {
      TransferPair tp = v.getTransferPair(v.getAllocator());
      tp.splitAndTransfer(start, len);
      out.add((FieldVector) tp.getTo());
    }
    return new VectorSchemaRoot(src.getSchema().getFields(), out, len);
  }

  /** One root from several (closes them); the only copying path. */
  static VectorSchemaRoot concat(List<VectorSchemaRoot> pieces) {
    if (pieces.isEmpty()) {
      return null;
    }
    if (pieces.size() == 1) {
      return pieces.get(0);
    }
    VectorSchemaRoot first = pieces.get(0);
    VectorSchemaRoot target =
        VectorSchemaRoot.create(first.getSchema(), first.getFieldVectors().get(0).getAllocator());
    try {
      target.allocateNew();
      VectorSchemaRootAppender.append(false, target, pieces.toArray(new VectorSchemaRoot[0]));
      return target;
    } catch (RuntimeException e) {
      target.close();
      throw e;
    } finally {
      pieces.forEach(VectorSchemaRoot::close);
    }
  }

  private void closeCurrent() {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  @Override
  public void close() {
    closeCurrent();
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
