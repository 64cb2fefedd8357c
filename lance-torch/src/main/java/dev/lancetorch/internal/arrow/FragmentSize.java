package dev.lancetorch.internal.arrow;

import java.util.List;

/**
 * One fragment of a snapshot: its id, its live rows, its physical rows (live + deleted) and the
 * files its rows are stored in; the components of the public {@code FragmentInfo}, which {@code
 * Table.fragments()} makes from it.
 *
 * @param files the paths of its data files and, when it has deleted rows, one entry {@code
 *     "deletions:<id>:<read version>:<count>"} naming its deletion file (empty when unknown)
 */
public record FragmentSize(int id, long numRows, long physicalRows, List<String> files) {
  public FragmentSize {
    files = List.copyOf(files);
  }

  /** A fragment whose files are not known. */
  public FragmentSize(int id, long numRows, long physicalRows) {
    this(id, numRows, physicalRows, List.of());
  }
}
