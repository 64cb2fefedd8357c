package dev.lancetorch.permutation;

import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The plain Java value of one Arrow cell, for the {@code ROWS} and {@code COLUMNS} formats (what
 * LanceDB's {@code python}/{@code python_col} give as Python objects): {@code null} for nulls;
 * strings as {@link String}; binary as {@code byte[]}; lists (all list kinds) as {@code
 * List<Object>} and structs as {@code Map<String,Object>} of plain values; {@code date32}/{@code
 * date64} as {@link LocalDate}; timestamps with a time zone as {@link Instant}, without as {@link
 * java.time.LocalDateTime}; unsigned integers widened so they stay non-negative: UInt8 and UInt16
 * as {@link Integer}, UInt32 as {@link Long}, UInt64 as {@link BigInteger}. Other types as Arrow
 * Java's {@code getObject} (boxed numbers, {@link Boolean}, {@link java.math.BigDecimal}, ...).
 */
final class PlainValues {
  private PlainValues() {}

  static Object of(ValueVector v, int i) {
    if (v.isNull(i)) {
      return null;
    }
    if (v instanceof BaseVariableWidthVector w && isUtf8(v)) {
      return new String(w.get(i), java.nio.charset.StandardCharsets.UTF_8);
    }
    if (v instanceof UInt8Vector u) {
      long x = u.get(i);
      return x >= 0
          ? BigInteger.valueOf(x)
          : BigInteger.valueOf(x).add(BigInteger.ONE.shiftLeft(64));
    }
    if (v instanceof UInt4Vector u) {
      return Integer.toUnsignedLong(u.get(i));
    }
    if (v instanceof UInt2Vector u) {
      return (int) u.get(i);
    }
    if (v instanceof UInt1Vector u) {
      return u.get(i) & 0xff;
    }
    if (v instanceof DateDayVector d) {
      return LocalDate.ofEpochDay(d.get(i));
    }
    if (v instanceof DateMilliVector d) {
      return LocalDate.ofEpochDay(Math.floorDiv(d.get(i), 86_400_000L));
    }
    if (v instanceof TimeStampVector t
        && v.getField().getType() instanceof ArrowType.Timestamp ts
        && ts.getTimezone() != null) {
      long x = t.get(i);
      return switch (ts.getUnit()) {
        case SECOND -> Instant.ofEpochSecond(x);
        case MILLISECOND -> Instant.ofEpochMilli(x);
        case MICROSECOND ->
            Instant.ofEpochSecond(
                Math.floorDiv(x, 1_000_000L), Math.floorMod(x, 1_000_000L) * 1000);
        case NANOSECOND ->
            Instant.ofEpochSecond(
                Math.floorDiv(x, 1_000_000_000L), Math.floorMod(x, 1_000_000_000L));
      };
    }
    if (v instanceof FixedSizeListVector l) {
      int n = l.getListSize();
      return list(l.getDataVector(), i * n, i * n + n);
    }
    if (v instanceof ListVector l) {
      return list(l.getDataVector(), l.getElementStartIndex(i), l.getElementEndIndex(i));
    }
    if (v instanceof LargeListVector l) {
      return list(
          l.getDataVector(),
          Math.toIntExact(l.getElementStartIndex(i)),
          Math.toIntExact(l.getElementEndIndex(i)));
    }
    if (v instanceof StructVector s) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (String name : s.getChildFieldNames()) {
        m.put(name, of(s.getChild(name), i));
      }
      return m;
    }
    return v.getObject(i);
  }

  private static boolean isUtf8(ValueVector v) {
    ArrowType t = v.getField().getType();
    return t instanceof ArrowType.Utf8 || t instanceof ArrowType.LargeUtf8;
  }

  private static List<Object> list(ValueVector child, int from, int to) {
    List<Object> out = new ArrayList<>(to - from);
    for (int k = from; k < to; k++) {
      out.add(of(child, k));
    }
    return out;
  }
}
