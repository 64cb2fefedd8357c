package dev.lancetorch.internal.read;

import dev.lancetorch.internal.memory.LibraryMemory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Memory caches shared in this JVM by every permutation handle over the same table version and
 * columns — a DataLoader's workers each reopen the permutation, and load the columns once between
 * them. Reference-counted: the cache is freed when the last handle releases it. Fixed-width columns
 * are cached in native memory ({@link NativeColumnCache}), others in lance-torch's own Arrow
 * allocator ({@link #ALLOCATOR}) — never in the user's connection allocators.
 */
public final class SharedColumnCaches {
  /** Where cached columns live (never the user's allocators): {@link LibraryMemory}'s. */
  public static final BufferAllocator ALLOCATOR = LibraryMemory.COLUMN_CACHES;

  private record Key(
      String database, String table, long version, List<String> columns, long maxBytes) {}

  /** One shared cache; {@code cache} is null when the columns did not fit. */
  static final class Entry {
    private final Key key;
    private MemoryCache cache;
    private boolean loaded;
    private int refs;

    private Entry(Key key) {
      this.key = key;
    }

    synchronized MemoryCache cache() {
      return cache;
    }
  }

  private static final Map<Key, Entry> ENTRIES = new HashMap<>();

  private SharedColumnCaches() {}

  /**
   * The shared cache of {@code columns} of {@code table}, loading it if no handle has; release it
   * exactly once.
   */
  static Entry acquire(ReadTable table, List<String> columns, long maxBytes) {
    ReadTable.Identity ref = table.identity();
    Key key =
        new Key(ref.databaseUri(), ref.tableName(), ref.version(), List.copyOf(columns), maxBytes);
    Entry e;
    synchronized (ENTRIES) {
      e = ENTRIES.computeIfAbsent(key, Entry::new);
      e.refs++;
    }
    try {
      synchronized (e) {
        if (!e.loaded) {
          e.cache =
              isFixedWidth(ReadColumns.of(table.schema(), key.columns()))
                  ? NativeColumnCache.load(table, key.columns(), maxBytes)
                  : ColumnCache.load(table, key.columns(), maxBytes, ALLOCATOR);
          e.loaded = true;
        }
      }
    } catch (RuntimeException | Error ex) {
      release(e);
      throw ex;
    }
    return e;
  }

  static void release(Entry e) {
    synchronized (ENTRIES) {
      if (--e.refs > 0) {
        return;
      }
      ENTRIES.remove(e.key, e);
    }
    synchronized (e) {
      if (e.cache != null) {
        e.cache.close();
        e.cache = null;
      }
    }
  }

  /** Caches alive now (for tests). */
  public static int live() {
    synchronized (ENTRIES) {
      return ENTRIES.size();
    }
  }

  /** True for columns the native cache takes (fixed-width only). */
  private static boolean isFixedWidth(ReadColumns cols) {
    return cols != null && cols.fixedWidth();
  }
}
