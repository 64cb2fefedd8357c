package dev.lancetorch.internal.arrow;

/**
 * One fragment of a snapshot: its id, its live rows and its physical rows (live + deleted); the
 * components of the public {@code FragmentInfo}, which {@code Table.fragments()} makes from it.
 */
public record FragmentSize(int id, long numRows, long physicalRows) {}
