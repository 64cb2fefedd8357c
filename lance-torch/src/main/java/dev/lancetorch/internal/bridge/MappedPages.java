package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.NativeBridge;

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
}
