package dev.lancetorch.torch;

import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.internal.memory.ScanMemory;

/**
 * Process-wide counters of the native bridge, for proving exactly-once release: once everything is
 * closed, {@code batchesImported == batchesReleased} and {@code tensorsCreated == tensorsFreed}.
 *
 * @param batchesImported successful imports
 * @param batchesReleased batches whose Arrow release callback has run
 * @param tensorsCreated zero-copy tensors holding a batch reference
 * @param tensorsFreed zero-copy tensors whose storage was freed
 * @param tensorsCopied tensors returned as fresh copies (bool, null fill, gather, cast)
 * @param bytesCopied payload bytes written into those copies
 * @param bytesLive memory kept alive by the batches not yet released (an estimate from lengths and
 *     formats: validity, fixed-width values, offsets — not the data of variable-width columns) plus
 *     what open {@link TorchScan}s hold read ahead inside Lance (an estimate: the rows a scan has
 *     not handed out yet × their width, capped at Lance's 2 GiB I/O buffer)
 * @param scansLive native scans ({@link TorchScan}s) opened and not yet released
 */
public record BridgeStats(
    long batchesImported,
    long batchesReleased,
    long tensorsCreated,
    long tensorsFreed,
    long tensorsCopied,
    long bytesCopied,
    long bytesLive,
    long scansLive) {

  /** Current counters (loads the native library if needed). */
  public static BridgeStats snapshot() {
    NativeLibrary.load();
    long[] s = NativeBridge.stats();
    return new BridgeStats(
        s[0], s[1], s[2], s[3], s[4], s[5], s[6] + ScanMemory.liveBytes(), ScanMemory.liveScans());
  }

  /** Batches imported but not yet released. */
  public long liveBatches() {
    return batchesImported - batchesReleased;
  }

  /** Zero-copy tensors whose storage is still alive. */
  public long liveTensors() {
    return tensorsCreated - tensorsFreed;
  }
}
