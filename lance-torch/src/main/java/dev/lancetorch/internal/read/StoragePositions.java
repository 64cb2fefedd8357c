package dev.lancetorch.internal.read;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.permutation.PermutationPlan;
import java.util.Arrays;
import java.util.List;

/**
 * Base row addresses to storage-order positions for a table whose fragments have no deleted rows
 * (what the memory caches index by). Plain data, immutable.
 */
final class StoragePositions {
  private final String tableName;

  /** Indexed by fragment id: first storage position (-1: no such fragment) and row count. */
  private final long[] startById;

  private final long[] rowsById;

  /** {@code frags}: the table's fragments in storage order, none with deleted rows. */
  StoragePositions(String tableName, List<FragmentSize> frags) {
    this.tableName = tableName;
    int maxId = frags.stream().mapToInt(FragmentSize::id).max().orElse(-1);
    this.startById = new long[maxId + 1];
    this.rowsById = new long[maxId + 1];
    Arrays.fill(startById, -1);
    long pos = 0;
    for (FragmentSize f : frags) {
      startById[f.id()] = pos;
      rowsById[f.id()] = f.numRows();
      pos += f.numRows();
    }
  }

  /** First storage position by fragment id (-1: no such fragment); not a copy. */
  long[] startById() {
    return startById;
  }

  /** Rows by fragment id; not a copy. */
  long[] rowsById() {
    return rowsById;
  }

  /**
   * Positions of {@code addrs[from, from + n)}.
   *
   * @throws IndexOutOfBoundsException naming the first address that does not exist
   */
  long[] of(long[] addrs, int from, int n) {
    long[] positions = new long[n];
    for (int k = 0; k < n; k++) {
      long a = addrs[from + k];
      long frag = a >>> 32;
      long off = a & 0xFFFFFFFFL;
      long start = frag < startById.length ? startById[(int) frag] : -1;
      if (start < 0 || off >= rowsById[(int) frag]) {
        throw new IndexOutOfBoundsException(
            "row address "
                + PermutationPlan.addressString(a)
                + " does not exist in table '"
                + tableName
                + "'");
      }
      positions[k] = start + off;
    }
    return positions;
  }
}
