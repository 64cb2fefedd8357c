package dev.lancetorch.permutation;

import dev.lancetorch.Table;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The memory caches of one permutation handle (shared by the copies {@code with*} makes of it), one per column set,
 * loaded on first use. {@link #close()} releases them; closing twice is safe.
 */
final class CacheHolder implements AutoCloseable {
  private final long maxBytes;
  private final Map<List<String>, Optional<ColumnCache>> caches = new HashMap<>();
  private boolean closed;

  CacheHolder(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  long maxBytes() {
    return maxBytes;
  }

  /** The cache of {@code columns}, loading it now if needed; null if they do not fit (then reads use takes). */
  synchronized ColumnCache get(Table table, List<String> columns) {
    if (closed) {
      throw new IllegalStateException("the permutation's memory cache is closed");
    }
    return caches.computeIfAbsent(List.copyOf(columns),
        c -> Optional.ofNullable(ColumnCache.load(table, c, maxBytes))).orElse(null);
  }

  /** Bytes held by the loaded caches. */
  synchronized long bytes() {
    return caches.values().stream().mapToLong(o -> o.map(c -> c.bytes).orElse(0L)).sum();
  }

  @Override
  public synchronized void close() {
    closed = true;
    caches.values().forEach(o -> o.ifPresent(ColumnCache::close));
    caches.clear();
  }
}
