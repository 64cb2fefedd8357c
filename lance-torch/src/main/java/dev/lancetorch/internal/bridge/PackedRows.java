package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.NativeBridge;

/**
 * Rows of several fixed-width columns kept together: a disk-cache block stores a row's values of
 * those columns side by side, so a random gather loads one cache line a row where separate columns
 * cost one line per column (the 16M-row table's {@code cols4}: 4 random loads a row become 1).
 */
public final class PackedRows {
  private PackedRows() {}

  /**
   * Interleaves columns' contiguous values into {@code rows} packed rows of {@code stride} bytes at
   * {@code dst}: column {@code c}'s {@code bytes[c]} bytes of row {@code r} from {@code srcs[c] + r
   * * bytes[c]} to {@code dst + r * stride + at[c]}. Every address is borrowed; {@code dst} holds
   * {@code rows * stride} bytes.
   */
  public static void pack(long dst, long stride, long[] srcs, long[] bytes, long[] at, long rows) {
    NativeBridge.packRows(dst, stride, srcs, bytes, at, rows);
  }

  /**
   * Marks column {@code col} of {@code batch} (borrowed) packed: row {@code r}'s values lie at its
   * values buffer + {@code r * stride}. Afterwards only gathers read the batch (its tensor views
   * and Arrow export refuse it). The caller vouches that the values buffer spans {@code (rows - 1)
   * * stride} bytes plus one row.
   */
  public static void mark(NativeBatch batch, int col, long stride) {
    NativeBridge.packColumn(batch.handle(), col, stride);
  }
}
