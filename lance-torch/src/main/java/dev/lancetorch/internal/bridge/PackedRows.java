package dev.lancetorch.internal.bridge;

import dev.lancetorch.internal.jni.NativeBridge;

/**
 * Rows of several columns kept together: a disk-cache block stores a row's values of its
 * fixed-width columns side by side, and a slot for each short binary / utf8 value, so a random
 * gather loads one cache line a row where separate columns cost one line per column (the 16M-row
 * table's {@code cols4}: 4 random loads a row become 1; {@code name}: offsets and bytes become 1).
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

  /**
   * Writes the 16-byte row slots of {@code rows} rows of a binary / utf8 column (its offsets, data
   * and validity, borrowed; validity 0 when it has none) into packed rows at {@code dst + at},
   * {@code stride} bytes apart: the row's length (0xFFFFFFFF for null), then its bytes when at most
   * 12, else at byte 8 the start of its bytes as its offsets hold it.
   */
  public static void packSlots(
      long dst,
      long stride,
      long at,
      long offsets,
      boolean large,
      long data,
      long validity,
      long rows) {
    NativeBridge.packSlots(dst, stride, at, offsets, large, data, validity, rows);
  }

  /**
   * Gives binary / utf8 column {@code col} of {@code batch} (borrowed) its row slots at {@code
   * slots}, {@code stride} bytes apart (borrowed: memory the batch keeps alive, such as the mapping
   * its buffers are slices of). A gather by row address then reads a short row in one cache line.
   */
  public static void slots(NativeBatch batch, int col, long slots, long stride) {
    NativeBridge.slotColumn(batch.handle(), col, slots, stride);
  }
}
