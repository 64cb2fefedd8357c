package dev.lancetorch.torch;

import dev.lancetorch.ArrowStreamExport;
import dev.lancetorch.Query;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.NativeScan;
import dev.lancetorch.internal.bridge.UnreleasedMemory;

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
 *
 * <p>Inside the library the scan is an internal {@code NativeScan}, which the read path consumes;
 * this class is the public view over one (it owns it), handing its batches out as {@link
 * TorchBatch} views.
 */
public final class TorchScan implements AutoCloseable {
  final NativeScan scan; // owned; read by TorchBatch's BatchAccess
  private final ArrowStreamExport.Source source;

  private TorchScan(NativeScan scan, ArrowStreamExport.Source source) {
    this.scan = scan;
    this.source = source;
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
    NativeScan scan = NativeScan.open(export.streamAddress(), producer(export));
    return new TorchScan(scan, export.source());
  }

  /** The export as the scan's producer (the scan owns it from now on). */
  private static NativeScan.Producer producer(ArrowStreamExport export) {
    return new NativeScan.Producer() {
      @Override
      public long estimatedBytes() {
        return export.estimatedBytes();
      }

      @Override
      public long rowsBound() {
        return export.rowsBound();
      }

      @Override
      public RuntimeException readFailure(RuntimeException failure) {
        return export.readFailure(failure);
      }

      @Override
      public void close() {
        export.close();
      }
    };
  }

  /**
   * Takes over a {@code struct ArrowArrayStream} of struct-typed batches. Its contents are
   * <em>moved</em> into the scan, even if this throws: afterwards the struct is marked released and
   * the caller only frees the struct's own memory.
   */
  public static TorchScan fromStream(long arrowArrayStreamAddress) {
    return new TorchScan(NativeScan.open(arrowArrayStreamAddress, null), null);
  }

  /** Where the batches come from; null for {@link #fromStream}. */
  public ArrowStreamExport.Source source() {
    return source;
  }

  /**
   * @return the next batch, owned by the caller, or null at the end (and on every later call)
   * @throws dev.lancetorch.LanceIoException when Lance fails to produce a batch of a table's scan
   *     (a storage fault: corrupted, truncated or missing file; afterwards the scan only closes), a
   *     plain {@link RuntimeException} when another producer ({@link #fromStream}) fails, {@link
   *     IllegalArgumentException} for a malformed batch, {@link IllegalStateException} if closed
   */
  public TorchBatch next() {
    NativeBatch b = scan.next();
    return b == null ? null : new TorchBatch(b);
  }

  /** Releases the stream, then the scanner and lease behind it; idempotent. */
  @Override
  public void close() {
    scan.close();
  }
}
