package dev.lancetorch.torch;

import java.io.Serializable;

/**
 * How {@link TorchBatch#padded(String, PadOptions)} shapes a variable-length column into an {@code
 * (R, L)} tensor: {@link #fixed(long) a fixed L} or {@link #batchMax() the longest row of the
 * batch} (optionally {@link #batchMaxUpTo(long) capped}); longer rows are truncated (their first
 * items kept), shorter ones padded with {@link #padValue(double)} (default 0). Null rows are an
 * error unless {@link #fillNulls(double)} is set: then they are empty (all padding) and null list
 * items become the fill value. Immutable and serializable.
 *
 * <p>The tensors of one padded column (padded, lengths, mask) may take at most 4 GiB together (the
 * shim's {@code LT_MAX_OUTPUT_BYTES}): a larger {@code R × L} fails with an {@link
 * IllegalArgumentException} naming the column and the size, before anything is allocated.
 */
public final class PadOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long length;
  private final boolean toBatchMax;
  private final double padValue;
  private final boolean fillNulls;
  private final double fillValue;

  private PadOptions(
      long length, boolean toBatchMax, double padValue, boolean fillNulls, double fillValue) {
    this.length = length;
    this.toBatchMax = toBatchMax;
    this.padValue = padValue;
    this.fillNulls = fillNulls;
    this.fillValue = fillValue;
  }

  /**
   * Every row padded or truncated to exactly {@code length} items.
   *
   * @throws IllegalArgumentException if {@code length <= 0} or beyond int32
   */
  public static PadOptions fixed(long length) {
    if (length <= 0 || length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "pad length must be in [1, " + Integer.MAX_VALUE + "], got " + length);
    }
    return new PadOptions(length, false, 0.0, false, 0.0);
  }

  /** Every row padded to the longest row of its batch. */
  public static PadOptions batchMax() {
    return new PadOptions(0, true, 0.0, false, 0.0);
  }

  /**
   * Padded to the longest row of its batch but at most {@code cap} (longer rows truncated).
   *
   * @throws IllegalArgumentException if {@code cap <= 0}
   */
  public static PadOptions batchMaxUpTo(long cap) {
    if (cap <= 0) {
      throw new IllegalArgumentException("pad length cap must be > 0, got " + cap);
    }
    return new PadOptions(cap, true, 0.0, false, 0.0);
  }

  /**
   * Same options with this pad value (cast to the column dtype; for an integer dtype it must be
   * exactly one of its values, else reading is an {@link IllegalArgumentException} naming the
   * column and dtype — the same holds for {@link #fillNulls(double)}).
   */
  public PadOptions padValue(double value) {
    return new PadOptions(length, toBatchMax, value, fillNulls, fillValue);
  }

  /** Same options with null rows as empty rows and null items as {@code value}. */
  public PadOptions fillNulls(double value) {
    return new PadOptions(length, toBatchMax, padValue, true, value);
  }

  /** The fixed length, or the cap for {@link #batchMaxUpTo(long)}; 0 for {@link #batchMax()}. */
  public long length() {
    return length;
  }

  public boolean isBatchMax() {
    return toBatchMax;
  }

  public double padValue() {
    return padValue;
  }

  public boolean isFillNulls() {
    return fillNulls;
  }

  public double fillValue() {
    return fillValue;
  }

  @Override
  public String toString() {
    return (toBatchMax
            ? (length > 0 ? "batchMaxUpTo(" + length + ")" : "batchMax()")
            : "fixed(" + length + ")")
        + " pad "
        + padValue
        + (fillNulls ? " fillNulls " + fillValue : "");
  }
}
