package dev.lancetorch.torch;

import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** One case per supported Arrow type: how to build a column and what value row i holds. */
record DtypeCases(
    String name, ScalarType dtype, int width, IntToDoubleFunction expected, Builder builder) {
  interface Builder {
    FieldVector build(BufferAllocator a, int n);
  }

  FieldVector build(BufferAllocator a, int n) {
    return builder.build(a, n);
  }

  @Override
  public String toString() {
    return name;
  }

  static double signed(int i) {
    return ((i * 37 + 11) % 200) - 100;
  }

  static double unsigned8(int i) {
    return (i * 37 + 11) % 250; // includes values >= 128 (high bit set)
  }

  static double real(int i) {
    return i * 0.5 - 3.25; // exact in float16
  }

  static List<DtypeCases> all() {
    return List.of(
        new DtypeCases(
            "int8",
            ScalarType.Char,
            1,
            DtypeCases::signed,
            (a, n) -> {
              TinyIntVector v = new TinyIntVector("int8", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, (byte) signed(i));
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "uint8",
            ScalarType.Byte,
            1,
            DtypeCases::unsigned8,
            (a, n) -> {
              UInt1Vector v = new UInt1Vector("uint8", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, (byte) unsigned8(i));
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "int16",
            ScalarType.Short,
            2,
            i -> signed(i) * 300,
            (a, n) -> {
              SmallIntVector v = new SmallIntVector("int16", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, (short) (signed(i) * 300));
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "uint16",
            ScalarType.UInt16,
            2,
            i -> unsigned8(i) * 250,
            (a, n) -> {
              UInt2Vector v = new UInt2Vector("uint16", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, (char) (unsigned8(i) * 250));
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "int32",
            ScalarType.Int,
            4,
            i -> signed(i) * 20_000_000,
            (a, n) -> {
              IntVector v = new IntVector("int32", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, (int) (signed(i) * 20_000_000));
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "uint32",
            ScalarType.UInt32,
            4,
            i -> unsigned8(i) * 17_000_000L,
            (a, n) -> {
              UInt4Vector v = new UInt4Vector("uint32", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, (int) ((long) unsigned8(i) * 17_000_000L));
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "int64",
            ScalarType.Long,
            8,
            i -> signed(i) * 1e12,
            (a, n) -> {
              BigIntVector v = new BigIntVector("int64", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, (long) (signed(i) * 1e12));
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "uint64",
            ScalarType.UInt64,
            8,
            i -> unsigned8(i) * 1e13,
            (a, n) -> {
              UInt8Vector v = new UInt8Vector("uint64", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, (long) (unsigned8(i) * 1e13));
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "float16",
            ScalarType.Half,
            2,
            DtypeCases::real,
            (a, n) -> {
              Float2Vector v = new Float2Vector("float16", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.setWithPossibleTruncate(i, (float) real(i));
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "float32",
            ScalarType.Float,
            4,
            i -> real(i) * 1.25,
            (a, n) -> {
              Float4Vector v = new Float4Vector("float32", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, (float) (real(i) * 1.25));
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "float64",
            ScalarType.Double,
            8,
            i -> real(i) / 3,
            (a, n) -> {
              Float8Vector v = new Float8Vector("float64", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, real(i) / 3);
              v.setValueCount(n);
              return v;
            }),
        new DtypeCases(
            "bool",
            ScalarType.Bool,
            0,
            i -> (i % 3 == 0) ? 1 : 0,
            (a, n) -> {
              BitVector v = new BitVector("bool", a);
              v.allocateNew(n);
              for (int i = 0; i < n; i++) v.set(i, i % 3 == 0 ? 1 : 0);
              v.setValueCount(n);
              return v;
            }));
  }
}
