package dev.lancetorch.internal.memory;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What open native scans hold inside Lance, which no counter of ours sees: Lance's scanner reads
 * ahead of the consumer (up to its I/O buffer, {@value #LANCE_IO_BUFFER} bytes by default) into
 * memory that is freed only when the stream is released. Measured: a scan of a 13 MB table dropped
 * after its first batch keeps ~14 MB resident until released, whatever {@code batch_readahead}.
 *
 * <p>So each open scan is charged an estimate — the bytes of the rows it has not handed out yet,
 * capped at Lance's I/O buffer — and {@link #liveBytes()} (the sum over open scans) is added to
 * {@code BridgeStats.bytesLive}, where the bridge's back-pressure sees it: scans dropped without
 * {@code close()} then trigger the collection that lets their Cleaner release them.
 */
public final class ScanMemory {
  /** Lance's default I/O buffer per scan (its read-ahead cap). */
  public static final long LANCE_IO_BUFFER = 2L << 30;

  /** Bytes per row counted for a variable-width value (offsets and a short value). */
  static final int VARIABLE_WIDTH_BYTES = 16;

  private static final AtomicLong LIVE_BYTES = new AtomicLong();
  private static final AtomicLong LIVE_SCANS = new AtomicLong();

  private ScanMemory() {}

  /** Estimated bytes held by every open scan's read-ahead. */
  public static long liveBytes() {
    return LIVE_BYTES.get();
  }

  /** Native scans opened and not yet released. */
  public static long liveScans() {
    return LIVE_SCANS.get();
  }

  /**
   * The read-ahead estimate of a scan of {@code rows} rows of {@code columns} (null: all) of {@code
   * schema}: rows × the columns' payload widths (fixed-width types exactly, variable-width ones
   * {@value #VARIABLE_WIDTH_BYTES} B), capped at {@link #LANCE_IO_BUFFER}.
   */
  public static long estimate(Schema schema, List<String> columns, long rows) {
    long width = 0;
    for (Field f : schema.getFields()) {
      if (columns == null || columns.contains(f.getName())) {
        width += width(f);
      }
    }
    return cap(rows, width);
  }

  /** {@code min(rows × bytesPerRow, LANCE_IO_BUFFER)} without overflow; 0 for no rows. */
  public static long cap(long rows, long bytesPerRow) {
    if (rows <= 0 || bytesPerRow <= 0) {
      return 0;
    }
    return rows > LANCE_IO_BUFFER / bytesPerRow ? LANCE_IO_BUFFER : rows * bytesPerRow;
  }

  private static long width(Field f) {
    ArrowType t = f.getType();
    if (t instanceof ArrowType.FixedSizeList l) {
      return l.getListSize() * (f.getChildren().isEmpty() ? 0 : width(f.getChildren().get(0)));
    }
    if (t instanceof ArrowType.Struct) {
      return f.getChildren().stream().mapToLong(ScanMemory::width).sum();
    }
    return switch (t.getTypeID()) {
      case Bool -> 1;
      case Int -> ((ArrowType.Int) t).getBitWidth() / 8;
      case FloatingPoint ->
          switch (((ArrowType.FloatingPoint) t).getPrecision()) {
            case HALF -> 2;
            case SINGLE -> 4;
            case DOUBLE -> 8;
          };
      case FixedSizeBinary -> ((ArrowType.FixedSizeBinary) t).getByteWidth();
      case Decimal -> ((ArrowType.Decimal) t).getBitWidth() / 8;
      case Date, Time, Timestamp, Duration, Interval -> 8;
      default -> VARIABLE_WIDTH_BYTES;
    };
  }

  /**
   * One open scan's charge, changed as it reads ({@link #update}) and dropped once by {@link
   * #release()}. Thread-safe; never references the scan (its Cleaner releases it).
   */
  public static final class Charge {
    private long bytes;
    private boolean released;

    /** Opens a charge of {@code bytes}; counts one live scan. */
    public Charge(long bytes) {
      this.bytes = Math.max(0, bytes);
      LIVE_BYTES.addAndGet(this.bytes);
      LIVE_SCANS.incrementAndGet();
    }

    /** Sets the charge to {@code now} bytes (ignored once released). */
    public synchronized void update(long now) {
      if (released) {
        return;
      }
      now = Math.max(0, now);
      LIVE_BYTES.addAndGet(now - bytes);
      bytes = now;
    }

    /** The current charge. */
    public synchronized long bytes() {
      return bytes;
    }

    /** Drops the charge; idempotent. */
    public synchronized void release() {
      if (!released) {
        released = true;
        LIVE_BYTES.addAndGet(-bytes);
        LIVE_SCANS.decrementAndGet();
        bytes = 0;
      }
    }
  }
}
