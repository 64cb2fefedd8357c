package dev.lancetorch.internal.read;

import dev.lancetorch.internal.cache.CacheSource;
import dev.lancetorch.internal.cache.DiskColumnCache;
import dev.lancetorch.internal.memory.Cleaners;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The caches one permutation handle uses (shared by the copies {@code with*} makes of it), one per
 * column set: memory caches acquired from {@link SharedColumnCaches}, disk caches from {@link
 * DiskColumnCache}, on first use. {@link #close()} releases them (idempotent); a holder that is
 * never closed releases them when it becomes unreachable.
 */
public final class CacheHolder implements AutoCloseable {
  /** What the cleaner releases; never references the holder. */
  private static final class Held implements Runnable {
    private final Map<List<String>, SharedColumnCaches.Entry> entries = new HashMap<>();
    private final Map<List<String>, DiskColumnCache> disks = new HashMap<>();

    /** Column sets the memory tier does not take (worthLoading said no). */
    private final java.util.Set<List<String>> declined = new java.util.HashSet<>();

    private boolean closed;

    @Override
    public synchronized void run() {
      closed = true;
      entries.values().forEach(SharedColumnCaches::release);
      entries.clear();
      disks.values().forEach(DiskColumnCache::release);
      disks.clear();
    }
  }

  private final Path diskDirectory;
  private final long diskBytes;
  private final long maxBytes;
  private final Held held = new Held();
  private final Cleaner.Cleanable cleanable;

  /** A memory cache of at most {@code maxBytes} only. */
  public CacheHolder(long maxBytes) {
    this(null, 0, maxBytes);
  }

  /**
   * @param diskDirectory the disk tier's directory (null with {@code diskBytes} 0: no disk tier)
   * @param diskBytes the disk tier's budget
   * @param maxBytes the memory tier's budget (0: none)
   */
  public CacheHolder(Path diskDirectory, long diskBytes, long maxBytes) {
    this.diskDirectory = diskDirectory;
    this.diskBytes = diskDirectory == null ? 0 : diskBytes;
    this.maxBytes = maxBytes;
    this.cleanable = Cleaners.CLEANER.register(this, held);
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The cache of {@code columns}, loading it now if needed; null if they do not fit (then reads use
   * takes).
   */
  MemoryCache get(ReadTable table, List<String> columns) {
    synchronized (held) {
      if (held.closed) {
        throw new IllegalStateException("the permutation's memory cache is closed");
      }
      if (maxBytes == 0) {
        return null;
      }
      SharedColumnCaches.Entry e = held.entries.get(columns);
      if (e == null) {
        // decided once per column set: a take per batch asks again
        if (held.declined.contains(columns) || !worthLoading(table, columns)) {
          held.declined.add(List.copyOf(columns));
          return null;
        }
        e = SharedColumnCaches.acquire(table, columns, maxBytes);
        held.entries.put(List.copyOf(columns), e);
      }
      return e.cache();
    }
  }

  /**
   * False when the memory tier would not hold these columns: fixed-width ones larger than its
   * budget (known without a scan), or, beside a disk tier, variable-length ones (the disk tier
   * serves those through the planner; the memory tier would read them row by row).
   */
  private boolean worthLoading(ReadTable table, List<String> columns) {
    ReadColumns cols = ReadColumns.of(table.schema(), columns);
    if (cols == null || !cols.fixedWidth()) {
      return diskBytes == 0;
    }
    long rows = table.countRows();
    return cols.rowBytes() * rows <= maxBytes;
  }

  /**
   * The disk cache of the planner's columns {@code cols}, acquired on first use; null without a
   * disk tier.
   */
  public DiskColumnCache disk(CacheSource table, ReadColumns cols) {
    if (diskBytes == 0) {
      return null;
    }
    synchronized (held) {
      if (held.closed) {
        throw new IllegalStateException("the permutation's cache is closed");
      }
      List<String> key = cols.dataColumns();
      DiskColumnCache d = held.disks.get(key);
      if (d == null) {
        d =
            DiskColumnCache.acquire(
                diskDirectory, diskBytes, table, key, cols.rowBytes(), ReadThreads::fill);
        held.disks.put(List.copyOf(key), d);
      }
      return d;
    }
  }

  /** The disk caches this handle uses now. */
  public List<DiskColumnCache> disks() {
    synchronized (held) {
      return List.copyOf(held.disks.values());
    }
  }

  /** Bytes held by the caches this handle uses (shared ones counted once per handle). */
  public long bytes() {
    synchronized (held) {
      return held.entries.values().stream()
          .mapToLong(
              e -> {
                MemoryCache c = e.cache();
                return c == null ? 0 : c.bytes();
              })
          .sum();
    }
  }

  @Override
  public void close() {
    cleanable.clean();
  }
}
