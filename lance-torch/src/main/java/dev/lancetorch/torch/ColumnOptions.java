package dev.lancetorch.torch;

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
}
