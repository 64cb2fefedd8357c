package dev.lancetorch;

import java.util.List;

/**
 * One Lance fragment of a table snapshot (plain data, no native memory).
 *
 * @param id the fragment id (the high 32 bits of the row addresses of its rows)
 * @param numRows live rows (physical rows minus deleted rows)
 * @param physicalRows rows physically stored, deleted ones included
 * @param files what the fragment's rows are stored in: the paths of its data files (relative to the
 *     table's data directory, as Lance records them) and, when it has deleted rows, one entry
 *     {@code "deletions:<id>:<read version>:<count>"} naming its deletion file. Lance never
 *     rewrites these files in place, so two snapshots with equal entries hold equal rows (the disk
 *     cache keys fragments by them). Empty when unknown.
 */
public record FragmentInfo(int id, long numRows, long physicalRows, List<String> files) {
  public FragmentInfo {
    files = List.copyOf(files);
  }

  /** A fragment whose files are not known. */
  public FragmentInfo(int id, long numRows, long physicalRows) {
    this(id, numRows, physicalRows, List.of());
  }
}
