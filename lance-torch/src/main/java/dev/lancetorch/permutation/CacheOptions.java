package dev.lancetorch.permutation;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where a permutation keeps local copies of the columns it reads ({@link Permutation#withCache}):
 * on local disk, in RAM, or both, each with its own budget in bytes. Immutable and serializable (a
 * {@code DataLoader}'s worker processes reopen a permutation with the same options and share the
 * same disk cache).
 *
 * <ul>
 *   <li><b>Disk</b> ({@link #disk(Path, long)}): the selected columns of each fragment in one file
 *       laid out for random access (uncompressed Arrow buffers: values, offsets, validity), filled
 *       by sequential scans of the source while the first epoch is served, memory-mapped and
 *       gathered from natively afterwards. Shared by every JVM on the machine that uses the same
 *       directory (one fill, file locks), kept across restarts, keyed by the table's location, its
 *       fragments' files and the columns; least recently used files are evicted to keep the budget.
 *       Each file carries its size and a CRC-32C checksum: a torn or corrupted file is dropped and
 *       refilled. An unusable directory (unwritable, full) gives one warning and reads go to the
 *       source.
 *   <li><b>RAM</b> ({@link #memory(long)}): when the selected columns fit in this budget they are
 *       loaded into process memory by one scan on first use ({@link Permutation#withMemoryCache} is
 *       {@code withCache(CacheOptions.memoryOnly(maxBytes))}); when they do not, the disk tier
 *       serves them (its mapped pages stay in the operating system's page cache while memory
 *       allows).
 * </ul>
 *
 * <p><b>Two stages.</b> With a disk tier the first epoch is served in the permutation's exact order
 * from its first batch on: fragments whose files exist are read from them, the others through the
 * read planner while background threads fill their files by sequential scans (one per fragment, on
 * the thread budget's read threads); each fragment is served from its file once it is sealed. Later
 * epochs read only the files. Fragments that do not fit the disk budget keep coming through the
 * planner. The disk tier serves the planner's reads ({@link Permutation#withReadAhead} above 0, the
 * default), for every column type the planner reads.
 *
 * <p><b>Memory:</b> the RAM tier's columns live in lance-torch's own allocator (not the
 * connection's) and are shared in this JVM by every handle over the same table version and columns
 * — the workers of a {@code DataLoader} load them once between them; a handle's reference is
 * released by its {@code close()} (or when it becomes unreachable) and the cache is freed with the
 * last reference. The disk tier's files are mapped (their pages live in the operating system's page
 * cache, not in the Java heap or lance-torch's allocators, and are released when the last handle
 * using them closes).
 */
public final class CacheOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Environment variable naming the default cache directory. */
  public static final String DIRECTORY_ENV = "LANCETORCH_CACHE_DIR";

  private final String diskDirectory; // null: no disk tier
  private final long diskBytes;
  private final long memoryBytes;

  private CacheOptions(String diskDirectory, long diskBytes, long memoryBytes) {
    if (diskBytes < 0) {
      throw new IllegalArgumentException("disk cache size must be >= 0, got " + diskBytes);
    }
    if (memoryBytes < 0) {
      throw new IllegalArgumentException("memory cache size must be >= 0, got " + memoryBytes);
    }
    this.diskDirectory = diskBytes == 0 ? null : diskDirectory;
    this.diskBytes = diskBytes;
    this.memoryBytes = memoryBytes;
  }

  /** No cache at all (the default of a permutation). */
  public static CacheOptions none() {
    return new CacheOptions(null, 0, 0);
  }

  /**
   * A disk cache of at most {@code maxBytes} in {@code directory} (created if missing); {@code 0}
   * turns the disk tier off.
   */
  public static CacheOptions disk(Path directory, long maxBytes) {
    Objects.requireNonNull(directory, "directory");
    return new CacheOptions(directory.toAbsolutePath().normalize().toString(), maxBytes, 0);
  }

  /** A disk cache of at most {@code maxBytes} in {@link #defaultDirectory()}. */
  public static CacheOptions disk(long maxBytes) {
    return disk(defaultDirectory(), maxBytes);
  }

  /** Only the RAM tier, of at most {@code maxBytes}. */
  public static CacheOptions memoryOnly(long maxBytes) {
    return new CacheOptions(null, 0, maxBytes);
  }

  /** These options with a RAM tier of at most {@code maxBytes} ({@code 0}: none). */
  public CacheOptions memory(long maxBytes) {
    return new CacheOptions(diskDirectory, diskBytes, maxBytes);
  }

  /**
   * The directory {@link #disk(long)} uses: {@code $LANCETORCH_CACHE_DIR} if set, else {@code
   * $XDG_CACHE_HOME/lance-torch}, else {@code ~/.cache/lance-torch}.
   */
  public static Path defaultDirectory() {
    return defaultDirectory(System.getenv(), System.getProperty("user.home"));
  }

  static Path defaultDirectory(Map<String, String> env, String home) {
    String dir = env.get(DIRECTORY_ENV);
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "lance-torch");
    }
    return Path.of(home, ".cache", "lance-torch");
  }

  /** The disk tier's directory, or null when there is no disk tier. */
  public Path diskDirectory() {
    return diskDirectory == null ? null : Path.of(diskDirectory);
  }

  /** The disk tier's budget in bytes (0: no disk tier). */
  public long diskBytes() {
    return diskBytes;
  }

  /** The RAM tier's budget in bytes (0: no RAM tier). */
  public long memoryBytes() {
    return memoryBytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheOptions c
        && Objects.equals(diskDirectory, c.diskDirectory)
        && diskBytes == c.diskBytes
        && memoryBytes == c.memoryBytes;
  }

  @Override
  public int hashCode() {
    return Objects.hash(diskDirectory, diskBytes, memoryBytes);
  }

  @Override
  public String toString() {
    return "CacheOptions[disk="
        + (diskDirectory == null ? "off" : diskDirectory + " (" + diskBytes + " bytes)")
        + ", memory="
        + (memoryBytes == 0 ? "off" : memoryBytes + " bytes")
        + "]";
  }
}
