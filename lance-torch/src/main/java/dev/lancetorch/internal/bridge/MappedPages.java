package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.NativeBridge;
import java.nio.file.Path;
import org.apache.arrow.memory.ForeignAllocation;

/**
 * The page tables of a file mapping, filled at once. A gather that reads a freshly mapped cache
 * file maps its pages by faults, one per 64 KiB it first touches (the kernel's fault-around): on
 * the 16M-row table's 312 MiB of {@code cols4} cache files that costs about 170 ms of faults when
 * read in order and 200 ms in random order (a virtual machine, 2026-12-07), paid by the read
 * threads of epoch 1 and of the first epoch after a restart. One {@code MADV_POPULATE_READ} over
 * the same mappings takes 12 ms.
 */
public final class MappedPages {
  private MappedPages() {}

  /**
   * Maps the pages of {@code [address, address + bytes)} (borrowed: a mapping the caller keeps
   * open) into the process's page tables, reading from the file those not in memory yet.
   *
   * @return false where the kernel refuses (before Linux 5.14) or the platform has no such call:
   *     nothing is lost, the pages are mapped by faults as they are read
   */
  public static boolean populate(long address, long bytes) {
    return NativeBridge.populatePages(address, bytes);
  }

  /**
   * Maps all {@code bytes} of {@code file} read-only at a 2 MiB-aligned address with huge pages
   * asked for ({@code MADV_HUGEPAGE}) and the page tables filled. A cache file written 2 MiB at a
   * time sits in the page cache as 2 MiB folios, which such a mapping maps as huge pages: a random
   * gather then misses the TLB far less (a C loop gathering random 20-byte rows from a 320 MiB file
   * on this 2-core VM: 14.8 ns a row against 21–24 with 4 KiB pages, 2026-12-08). Files whose
   * folios are smaller map page by page, as before.
   *
   * @return the mapping, owned by the caller: wrap it in an allocator ({@code
   *     wrapForeignAllocation}); the last buffer over it unmaps it (once)
   * @throws IllegalStateException when the file cannot be opened or mapped
   */
  public static ForeignAllocation map(Path file, long bytes) {
    long address = NativeBridge.mapFile(file.toString(), bytes);
    return new FileMapping(bytes, address);
  }

  /** A file mapping of {@link #map}, unmapped when Arrow releases its last buffer. */
  private static final class FileMapping extends ForeignAllocation {
    private boolean unmapped;

    FileMapping(long size, long address) {
      super(size, address);
    }

    @Override
    protected synchronized void release0() {
      if (!unmapped) {
        unmapped = true;
        NativeBridge.unmapFile(memoryAddress(), getSize());
      }
    }
  }
}
