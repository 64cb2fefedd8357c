package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.NativeBridge;
import dev.lancetorch.internal.jni.NativeLoader;
import dev.lancetorch.internal.memory.NativeHandle;
import dev.lancetorch.internal.memory.ScanMemory;
import java.lang.ref.Reference;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * An Arrow C stream whose record batches the native bridge pulls and hands out as {@link
 * NativeBatch}es: the read path's scan. The public {@code dev.lancetorch.torch.TorchScan} is a thin
 * view over one of these ({@link BatchAccess}).
 *
 * <p>Ownership: the scan <b>owns</b> the moved-in stream and its {@link Producer} (for a table's
 * scan, the Lance scanner and snapshot lease behind the stream). {@link #close()} (idempotent)
 * releases the stream first, then the producer, each exactly once; a scan dropped without {@code
 * close()} is released the same way by the library's Cleaner once it is unreachable. What the
 * producer reads ahead is counted ({@link ScanMemory}). Every {@link NativeBatch} from {@link
 * #next()} is <b>owned by the caller</b> and stays valid after the scan is closed. {@link #next()}
 * and {@link #close()} are serialized; any call after close throws {@link IllegalStateException}.
 */
public final class NativeScan implements AutoCloseable {
  /** What produces a scan's stream (a Lance export), released after the stream. */
  public interface Producer {
    /** An estimate of what the producer reads ahead, in bytes. */
    long estimatedBytes();

    /** The rows the stream yields at most, or -1 if unknown. */
    long rowsBound();

    /** The exception to throw for the producer's failure to yield a batch. */
    RuntimeException readFailure(RuntimeException failure);

    /** Releases the producer (once, after the stream). */
    void close();
  }

  private final Producer producer;
  private final ScanMemory.Charge charge;
  private final NativeHandle handle;
  private List<String> columnNames; // of the stream's schema, from the first batch
  private long rowsOut;
  private long bytesOut;

  private NativeScan(long handle, Producer producer) {
    this.producer = producer;
    this.charge = new ScanMemory.Charge(producer == null ? 0 : producer.estimatedBytes());
    try {
      this.handle = NativeHandle.cleaned(this, "TorchScan", handle, release(producer, charge));
    } catch (RuntimeException | Error e) {
      charge.release();
      throw e;
    }
  }

  /** Releases the stream, then the producer, then the charge; references no scan. */
  private static LongConsumer release(Producer producer, ScanMemory.Charge charge) {
    return h -> {
      try {
        NativeBridge.streamRelease(h);
      } finally {
        try {
          if (producer != null) {
            producer.close();
          }
        } finally {
          charge.release();
        }
      }
    };
  }

  /**
   * Takes over a {@code struct ArrowArrayStream} of struct-typed batches and its {@code producer}
   * (null: none): both are <b>transferred</b> to the scan, even if this throws (then the struct is
   * marked released and the producer closed); the caller only frees the struct's own memory.
   */
  public static NativeScan open(long arrowArrayStreamAddress, Producer producer) {
    NativeLoader.load();
    long h;
    try {
      h = NativeBridge.streamOpen(arrowArrayStreamAddress);
    } catch (RuntimeException | Error e) {
      if (producer != null) {
        try {
          producer.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    try {
      return new NativeScan(h, producer);
    } catch (RuntimeException | Error e) {
      release(producer, new ScanMemory.Charge(0)).accept(h);
      throw e;
    }
  }

  /**
   * @return the next batch, owned by the caller, or null at the end (and on every later call)
   * @throws RuntimeException the producer's {@link Producer#readFailure} when it fails to yield a
   *     batch, {@link IllegalArgumentException} for a malformed batch, {@link
   *     IllegalStateException} if closed
   */
  public synchronized NativeBatch next() {
    try {
      long b;
      try {
        b = NativeBridge.streamNext(handle.get());
      } catch (RuntimeException e) {
        // the bridge raises exactly RuntimeException for the producer's failure (LT_ERR_STREAM)
        if (producer != null && e.getClass() == RuntimeException.class) {
          throw producer.readFailure(e);
        }
        throw e;
      }
      if (b == 0) {
        charge.update(0); // the producer is done: it holds nothing ahead
        return null;
      }
      NativeBatch batch = NativeBatch.adopt(b, columnNames);
      columnNames = batch.columnNames();
      if (producer != null && producer.rowsBound() >= 0) {
        rowsOut += batch.numRows();
        bytesOut += batch.payloadBytes();
        long perRow = rowsOut == 0 ? 0 : (bytesOut + rowsOut - 1) / rowsOut;
        charge.update(ScanMemory.cap(producer.rowsBound() - rowsOut, perRow));
      }
      return batch;
    } finally {
      Reference.reachabilityFence(this); // the Cleaner must not release the stream mid-call
    }
  }

  /** Releases the stream, then the producer behind it; idempotent. */
  @Override
  public synchronized void close() {
    handle.close();
  }
}
