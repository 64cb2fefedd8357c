package dev.lancetorch.torch;

import dev.lancetorch.ArrowStreamExport;
import dev.lancetorch.Query;
import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.internal.memory.NativeHandle;
import java.util.List;

/**
 * A scan read natively: the record batches of an Arrow C stream are pulled by the native bridge and
 * handed out as {@link TorchBatch}es, with no Arrow Java import or export per batch when the stream
 * comes straight from Lance ({@link ArrowStreamExport.Source#LANCE_NATIVE}).
 *
 * <p>Ownership: the scan <b>owns</b> the moved-in stream and, when opened from a {@link Query}, the
 * {@link ArrowStreamExport} (Lance scanner and snapshot lease) behind it. {@link #close()}
 * (idempotent) releases the stream first, then the export, each exactly once. Every {@link
 * TorchBatch} from {@link #next()} is <b>owned by the caller</b> and, with its tensors, stays valid
 * after the scan is closed. Not for concurrent use from several threads ({@link #next()} is
 * serialised); use one scan per thread.
 */
public final class TorchScan implements AutoCloseable {
  private final ArrowStreamExport export;
  private final NativeHandle handle;
  private List<String> columnNames; // of the stream's schema, from the first batch

  private TorchScan(long handle, ArrowStreamExport export) {
    this.handle = NativeHandle.owned("TorchScan", handle, NativeBridge::streamRelease);
    this.export = export;
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
    ArrowStreamExport export = query.exportArrowStream(preferred);
    try {
      return new TorchScan(NativeBridge.streamOpen(export.streamAddress()), export);
    } catch (RuntimeException | Error e) {
      try {
        export.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
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
    return new TorchScan(NativeBridge.streamOpen(arrowArrayStreamAddress), null);
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
      return null;
    }
    TorchBatch batch = TorchBatch.adoptHandle(b, columnNames);
    columnNames = batch.columnNames();
    return batch;
  }

  /** Releases the stream, then the scanner and lease behind it; idempotent. */
  @Override
  public synchronized void close() {
    if (handle.isClosed()) {
      return;
    }
    try {
      handle.close();
    } finally {
      if (export != null) {
        export.close();
      }
    }
  }
}
