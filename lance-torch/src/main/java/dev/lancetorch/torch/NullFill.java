package dev.lancetorch.torch;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Which columns of a batch get their nulls replaced, and by what value, when they become tensors:
 * the batch-wide form of {@link ColumnOptions#fillNulls(double)}. A value for one column wins over
 * the value for every column ({@link #all(double)}); a column without either keeps nulls an error.
 * The value is cast to the tensor's dtype (a bool column: non-zero is true); for an integer dtype
 * it must be exactly one of its values (NaN, ±1e300 or 0.5 into an int column is an {@link
 * IllegalArgumentException} naming the column and dtype, not 0 or a saturated value), also for the
 * value of {@link #all(double)} when it reaches an integer column. Null rows and null {@code
 * FixedSizeList} items become the value; in variable-length columns null rows become empty rows and
 * null list items the value (as {@link ColumnOptions#fillNulls(double)} there). Filled columns are
 * copies, and only when the batch has nulls in them. Immutable and serializable.
 */
public final class NullFill implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final NullFill NONE = new NullFill(null, Map.of());

  private final Double all;
  private final Map<String, Double> columns;

  private NullFill(Double all, Map<String, Double> columns) {
    this.all = all;
    this.columns = columns;
  }

  /** Nulls are an error in every column (the default). */
  public static NullFill none() {
    return NONE;
  }

  /** Every column's nulls become {@code value}. */
  public static NullFill all(double value) {
    return NONE.withAll(value);
  }

  /** The same fills, every other column's nulls becoming {@code value}. */
  public NullFill withAll(double value) {
    return new NullFill(value, columns);
  }

  /** The same fills, {@code column}'s nulls becoming {@code value} (replacing an earlier one). */
  public NullFill withColumn(String column, double value) {
    Map<String, Double> m = new LinkedHashMap<>(columns);
    m.put(Objects.requireNonNull(column, "column"), value);
    return new NullFill(all, Map.copyOf(m));
  }

  /** The value {@code column}'s nulls become, empty when they stay an error. */
  public OptionalDouble valueFor(String column) {
    Double v = columns.get(column);
    if (v == null) {
      v = all;
    }
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** True when no column is filled. */
  public boolean isNone() {
    return all == null && columns.isEmpty();
  }

  /** The value for every column, empty when only some columns (or none) are filled. */
  public OptionalDouble allValue() {
    return all == null ? OptionalDouble.empty() : OptionalDouble.of(all);
  }

  /** The per-column values (immutable). */
  public Map<String, Double> columnValues() {
    return columns;
  }

  /**
   * The same fills with per-column names mapped by {@code names} (old → new; names absent keep
   * theirs), for a batch whose columns were renamed.
   */
  public NullFill renamed(Map<String, String> names) {
    if (columns.isEmpty() || names.isEmpty()) {
      return this;
    }
    Map<String, Double> m = new LinkedHashMap<>();
    columns.forEach((c, v) -> m.put(names.getOrDefault(c, c), v));
    return new NullFill(all, Map.copyOf(m));
  }

  /**
   * {@link ColumnOptions} that fill {@code column} per these fills ({@link
   * ColumnOptions#defaults()} when it is not filled).
   */
  public ColumnOptions columnOptions(String column) {
    OptionalDouble v = valueFor(column);
    return v.isPresent()
        ? ColumnOptions.defaults().fillNulls(v.getAsDouble())
        : ColumnOptions.defaults();
  }

  /** {@code pad} filling {@code column} per these fills, unless it fills nulls itself. */
  PadOptions padOptions(String column, PadOptions pad) {
    OptionalDouble v = valueFor(column);
    return pad.isFillNulls() || v.isEmpty() ? pad : pad.fillNulls(v.getAsDouble());
  }

  private Object readResolve() {
    return isNone() ? NONE : this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NullFill f && Objects.equals(all, f.all) && columns.equals(f.columns);
  }

  @Override
  public int hashCode() {
    return Objects.hash(all, columns);
  }

  @Override
  public String toString() {
    if (isNone()) {
      return "NullFill.none()";
    }
    return "NullFill"
        + (all == null ? "" : "(all " + all + ")")
        + (columns.isEmpty() ? "" : columns);
  }
}
