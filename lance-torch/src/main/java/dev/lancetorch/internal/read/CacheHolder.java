package dev.lancetorch.internal.read;

import dev.lancetorch.Table;
import dev.lancetorch.internal.memory.Cleaners;
import java.lang.ref.Cleaner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory caches one permutation handle uses (shared by the copies {@code with*} makes of it),
 * one per column set, acquired from {@link SharedColumnCaches} on first use. {@link #close()}
 * releases them (idempotent); a holder that is never closed releases them when it becomes
 * unreachable.
 */
public final class CacheHolder implements AutoCloseable {
  /** What the cleaner releases; never references the holder. */
  private static final class Held implements Runnable {
    private final Map<List<String>, SharedColumnCaches.Entry> entries = new HashMap<>();
    private boolean closed;

    @Override
    public synchronized void run() {
      closed = true;
      entries.values().forEach(SharedColumnCaches::release);
      entries.clear();
    }
  }

  private final long maxBytes;
  private final Held held = new Held();
  private final Cleaner.Cleanable cleanable;

  public CacheHolder(long maxBytes) {
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
  MemoryCache get(Table table, List<String> columns) {
    synchronized (held) {
      if (held.closed) {
        throw new IllegalStateException("the permutation's memory cache is closed");
      }
      SharedColumnCaches.Entry e = held.entries.get(columns);
      if (e == null) {
        e = SharedColumnCaches.acquire(table, columns, maxBytes);
        held.entries.put(List.copyOf(columns), e);
      }
      return e.cache();
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
