package dev.lancetorch.torch;

import dev.lancetorch.ArrowStreamExport;
import dev.lancetorch.Query;
import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.internal.memory.NativeHandle;
import dev.lancetorch.internal.memory.ScanMemory;
import java.lang.ref.Reference;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A scan read natively: the record batches of an Arrow C stream are pulled by the native bridge and
 * handed out as {@link TorchBatch}es, with no Arrow Java import or export per batch when the stream
 * comes straight from Lance ({@link ArrowStreamExport.Source#LANCE_NATIVE}).
 *
 * <p>Ownership: the scan <b>owns</b> the moved-in stream and, when opened from a {@link Query}, the
 * {@link ArrowStreamExport} (Lance scanner and snapshot lease) behind it. {@link #close()}
 * (idempotent) releases the stream first, then the export, each exactly once; a scan dropped
 * without {@code close()} is released the same way by the library's Cleaner once it is unreachable.
 * What Lance reads ahead for an open scan is counted (an estimate, see {@link
 * BridgeStats#bytesLive()}), so dropped scans trigger the collection that releases them. Every
 * {@link TorchBatch} from {@link #next()} is <b>owned by the caller</b> and, with its tensors,
 * stays valid after the scan is closed. Not for concurrent use from several threads ({@link
 * #next()} is serialised); use one scan per thread.
 */
public final class TorchScan implements AutoCloseable {
  private final ArrowStreamExport export;
  private final ScanMemory.Charge charge;
  private final NativeHandle handle;
  private List<String> columnNames; // of the stream's schema, from the first batch
  private long rowsOut;
  private long bytesOut;

  private TorchScan(long handle, ArrowStreamExport export) {
    this.export = export;
    this.charge = new ScanMemory.Charge(export == null ? 0 : export.estimatedBytes());
    try {
      this.handle = NativeHandle.cleaned(this, "TorchScan", handle, release(export, charge));
    } catch (RuntimeException | Error e) {
      charge.release();
      throw e;
    }
  }

  /** Releases the stream, then the export, then the charge; references no scan. */
  private static LongConsumer release(ArrowStreamExport export, ScanMemory.Charge charge) {
    return h -> {
      try {
        NativeBridge.streamRelease(h);
      } finally {
        try {
          if (export != null) {
            export.close();
          }
        } finally {
          charge.release();
        }
      }
    };
  }

  /**
   * Opens {@code query} with Lance's native stream (falling back to Arrow Java's exporter, logged
   * once).
   */
  public static TorchScan open(Query query) {
    return open(query, ArrowStreamExport.Source.LANCE_NATIVE);
  }

  /**
   * @param query the scan; its options are read now
   * @param preferred see {@link Query#exportArrowStream(ArrowStreamExport.Source)}
   * @return a scan owned by the caller
   */
  public static TorchScan open(Query query, ArrowStreamExport.Source preferred) {
    NativeLibrary.load();
    UnreleasedMemory.check(); // before this scan starts reading ahead
    ArrowStreamExport export = query.exportArrowStream(preferred);
    long h;
    try {
      h = NativeBridge.streamOpen(export.streamAddress());
    } catch (RuntimeException | Error e) {
      try {
        export.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    try {
      return new TorchScan(h, export);
    } catch (RuntimeException | Error e) {
      release(export, new ScanMemory.Charge(0)).accept(h);
      throw e;
    }
  }

  /**
   * Takes over a {@code struct ArrowArrayStream} of struct-typed batches. Its contents are
   * <em>moved</em> into the scan, even if this throws: afterwards the struct is marked released and
   * the caller only frees the struct's own memory.
   */
  public static TorchScan fromStream(long arrowArrayStreamAddress) {
    NativeLibrary.load();
    long h = NativeBridge.streamOpen(arrowArrayStreamAddress);
    try {
      return new TorchScan(h, null);
    } catch (RuntimeException | Error e) {
      NativeBridge.streamRelease(h);
      throw e;
    }
  }

  /** Where the batches come from; null for {@link #fromStream}. */
  public ArrowStreamExport.Source source() {
    return export == null ? null : export.source();
  }

  /**
   * @return the next batch, owned by the caller, or null at the end (and on every later call)
   * @throws dev.lancetorch.LanceIoException when Lance fails to produce a batch of a table's scan
   *     (a storage fault: corrupted, truncated or missing file; afterwards the scan only closes), a
   *     plain {@link RuntimeException} when another producer ({@link #fromStream}) fails, {@link
   *     IllegalArgumentException} for a malformed batch, {@link IllegalStateException} if closed
   */
  public synchronized TorchBatch next() {
    try {
      long b;
      try {
        b = NativeBridge.streamNext(handle.get());
      } catch (RuntimeException e) {
        // the bridge raises exactly RuntimeException for the producer's failure (LT_ERR_STREAM)
        if (export != null && e.getClass() == RuntimeException.class) {
          throw export.readFailure(e);
        }
        throw e;
      }
      if (b == 0) {
        charge.update(0); // the producer is done: it holds nothing ahead
        return null;
      }
      TorchBatch batch = TorchBatch.adoptHandle(b, columnNames);
      columnNames = batch.columnNames();
      if (export != null && export.rowsBound() >= 0) {
        rowsOut += batch.numRows();
        bytesOut += batch.payloadBytes();
        long perRow = rowsOut == 0 ? 0 : (bytesOut + rowsOut - 1) / rowsOut;
        charge.update(ScanMemory.cap(export.rowsBound() - rowsOut, perRow));
      }
      return batch;
    } finally {
      Reference.reachabilityFence(this); // the Cleaner must not release the stream mid-call
    }
  }

  /** Releases the stream, then the scanner and lease behind it; idempotent. */
  @Override
  public synchronized void close() {
    handle.close();
  }
}
