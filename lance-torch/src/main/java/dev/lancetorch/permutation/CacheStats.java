package dev.lancetorch.permutation;

import dev.lancetorch.internal.cache.DiskColumnCache;
import dev.lancetorch.internal.read.CacheHolder;

/**
 * What a permutation's disk cache ({@link Permutation#withCache}) has done in this JVM, summed over
 * the column sets it caches (plain data). The counters are those of the caches this JVM shares
 * between its handles over the same table location and columns.
 *
 * @param fragmentsFilled fragments scanned from the source and written to the cache
 * @param bytesFilled bytes of the files written
 * @param fragmentsOpened fragments served from files that were already on disk (a warm cache)
 * @param filesDropped files that failed their checks (torn, corrupted) and were deleted
 * @param fragmentsSkipped fragments that did not fit the disk budget (read from the source)
 * @param rowsServed rows the read planner copied from the cache's files
 * @param bytesMapped bytes of the files mapped now
 * @param diskOff true when the directory proved unusable (then every read goes to the source)
 */
public record CacheStats(
    long fragmentsFilled,
    long bytesFilled,
    long fragmentsOpened,
    long filesDropped,
    long fragmentsSkipped,
    long rowsServed,
    long bytesMapped,
    boolean diskOff) {

  /** The sums over the disk tiers of {@code cache} (all zero without one, or for null). */
  static CacheStats of(CacheHolder cache) {
    long filled = 0, bytes = 0, opened = 0, dropped = 0, skipped = 0, rows = 0, mapped = 0;
    boolean off = false;
    if (cache != null) {
      for (DiskColumnCache d : cache.disks()) {
        DiskColumnCache.Stats s = d.stats();
        filled += s.filledFragments();
        bytes += s.filledBytes();
        opened += s.openedFragments();
        dropped += s.droppedFiles();
        skipped += s.skippedFragments();
        rows += s.cachedRows();
        mapped += s.bytesOnDisk();
        off |= s.disabled();
      }
    }
    return new CacheStats(filled, bytes, opened, dropped, skipped, rows, mapped, off);
  }
}
