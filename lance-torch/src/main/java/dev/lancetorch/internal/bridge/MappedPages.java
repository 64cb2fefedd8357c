package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.NativeBridge;
import java.nio.file.Path;
import org.apache.arrow.memory.ForeignAllocation;

/**
 * Whole-file mappings of disk-cache files: at a 2 MiB-aligned address with huge pages asked for,
 * the page tables filled at once (a gather reading a freshly mapped file mapped its pages by
 * faults, one per 64 KiB it first touched: about 170–200 ms on the 16M-row table's 312 MiB of
 * {@code cols4} files, against 12 ms for one {@code MADV_POPULATE_READ}; a virtual machine,
 * 2026-12-07), and unmapped with the last buffer over them.
 */
public final class MappedPages {
  private MappedPages() {}

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
