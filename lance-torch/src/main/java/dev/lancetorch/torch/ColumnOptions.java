package dev.lancetorch.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * How {@link TorchBatch#column(String, ColumnOptions)} shapes a column: row-major ({@code (R)} /
 * {@code (R, D)}, the default) or column-major ({@code (1, R)} / {@code (D, R)} strided view), and
 * whether nulls are an error (default) or replaced by a fill value (which makes the result a copy).
 * Immutable.
 */
public final class ColumnOptions {
  private static final ColumnOptions DEFAULTS = new ColumnOptions(false, false, 0.0);

  private final boolean columnMajor;
  private final boolean fillNulls;
  private final double fillValue;

  private ColumnOptions(boolean columnMajor, boolean fillNulls, double fillValue) {
    this.columnMajor = columnMajor;
    this.fillNulls = fillNulls;
    this.fillValue = fillValue;
  }

  /** Row-major, nulls are an error. */
  public static ColumnOptions defaults() {
    return DEFAULTS;
  }

  /** Same options with the column-major layout switched on or off. */
  public ColumnOptions columnMajor(boolean on) {
    return new ColumnOptions(on, fillNulls, fillValue);
  }

  /**
   * Same options, replacing nulls by {@code value} cast to the column dtype. The result is a copy
   * only when the column has nulls in the batch's range; otherwise it stays zero-copy.
   */
  public ColumnOptions fillNulls(double value) {
    return new ColumnOptions(columnMajor, true, value);
  }

  public boolean isColumnMajor() {
    return columnMajor;
  }

  public boolean isFillNulls() {
    return fillNulls;
  }

  public double fillValue() {
    return fillValue;
  }

  /**
   * Checks that {@code value} (a null fill or pad value for {@code column}) is exactly a value of
   * {@code t}'s dtype when that dtype is an integer: NaN, infinities, fractions and values out of
   * the dtype's range would otherwise become 0 or saturate silently. Float and bool dtypes take any
   * value (a bool: non-zero is true). On failure {@code t} is closed.
   *
   * @throws IllegalArgumentException naming the column, the dtype and the value
   */
  static void requireExact(Tensor t, double value, String column, String role) {
    ScalarType dtype = t.scalar_type().intern();
    double min;
    double max; // exclusive
    switch (dtype) {
      case Byte -> {
        min = 0;
        max = 0x1p8;
      }
      case Char -> {
        min = -0x1p7;
        max = 0x1p7;
      }
      case Short -> {
        min = -0x1p15;
        max = 0x1p15;
      }
      case Int -> {
        min = -0x1p31;
        max = 0x1p31;
      }
      case Long -> {
        min = -0x1p63;
        max = 0x1p63;
      }
      default -> {
        return;
      }
    }
    if (value >= min && value < max && value == Math.rint(value)) {
      return;
    }
    t.close();
    throw new IllegalArgumentException(
        role
            + " "
            + value
            + " for column '"
            + column
            + "' is not a value of its dtype "
            + dtype
            + " (integers in ["
            + (long) min
            + ", "
            + (dtype == ScalarType.Long ? Long.MAX_VALUE : (long) max - 1)
            + "]); give this column a value it holds exactly");
  }
}
