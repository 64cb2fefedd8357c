package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every supported Arrow type survives create → scan and create → take, value by value. */
class RoundTripTest {
  static final int N = 37;
  @TempDir Path dir;

  static Field f(String name, ArrowType t, Field... children) {
    return new Field(name, FieldType.nullable(t), List.of(children));
  }

  static Schema schema() {
    return new Schema(
        List.of(
            f("i8", new ArrowType.Int(8, true)),
            f("i16", new ArrowType.Int(16, true)),
            f("i32", new ArrowType.Int(32, true)),
            f("i64", new ArrowType.Int(64, true)),
            f("u8", new ArrowType.Int(8, false)),
            f("u16", new ArrowType.Int(16, false)),
            f("u32", new ArrowType.Int(32, false)),
            f("u64", new ArrowType.Int(64, false)),
            f("f16", new ArrowType.FloatingPoint(FloatingPointPrecision.HALF)),
            f("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
            f("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            f("b", ArrowType.Bool.INSTANCE),
            f("s", ArrowType.Utf8.INSTANCE),
            f("ls", ArrowType.LargeUtf8.INSTANCE),
            f("bin", ArrowType.Binary.INSTANCE),
            f("list", ArrowType.List.INSTANCE, f("item", new ArrowType.Int(32, true))),
            f(
                "fsl",
                new ArrowType.FixedSizeList(3),
                f("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))),
            f(
                "st",
                ArrowType.Struct.INSTANCE,
                f("a", new ArrowType.Int(32, true)),
                f("c", ArrowType.Utf8.INSTANCE)),
            f("ts_us_utc", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
            f("ts_ns", new ArrowType.Timestamp(TimeUnit.NANOSECOND, null))));
  }

  /** Row i has nulls in every column where i % 5 == 4; values span signed/unsigned extremes. */
  static VectorSchemaRoot fill(BufferAllocator a) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema(), a);
    root.allocateNew();
    for (int i = 0; i < N; i++) {
      if (i % 5 == 4) {
        for (FieldVector v : root.getFieldVectors()) {
          if (v instanceof ListVector l) {
            l.setNull(i);
          } else if (v instanceof FixedSizeListVector l) {
            l.setNull(i);
          } else if (v instanceof StructVector s) {
            s.setNull(i);
          } else {
            v.setNull(i);
          }
        }
        continue;
      }
      ((TinyIntVector) root.getVector("i8")).setSafe(i, (byte) (i % 2 == 0 ? -128 + i : 127 - i));
      ((SmallIntVector) root.getVector("i16")).setSafe(i, (short) (-32768 + i * 7));
      ((IntVector) root.getVector("i32")).setSafe(i, i == 0 ? Integer.MIN_VALUE : i * 1_000_003);
      ((BigIntVector) root.getVector("i64")).setSafe(i, i == 1 ? Long.MAX_VALUE : -i * (1L << 40));
      ((UInt1Vector) root.getVector("u8")).setSafe(i, 255 - i);
      ((UInt2Vector) root.getVector("u16")).setSafe(i, 65535 - i);
      ((UInt4Vector) root.getVector("u32")).setSafe(i, (int) (0xFFFFFFFFL - i));
      ((UInt8Vector) root.getVector("u64")).setSafe(i, -1L - i);
      ((Float2Vector) root.getVector("f16")).setSafeWithPossibleTruncate(i, i * 0.25f);
      ((Float4Vector) root.getVector("f32")).setSafe(i, i == 2 ? Float.NaN : i / 3f);
      ((Float8Vector) root.getVector("f64"))
          .setSafe(i, i == 3 ? Double.NEGATIVE_INFINITY : Math.PI * i);
      ((BitVector) root.getVector("b")).setSafe(i, i % 3 == 0 ? 1 : 0);
      ((VarCharVector) root.getVector("s"))
          .setSafe(i, ("héllo-" + i).getBytes(StandardCharsets.UTF_8));
      ((LargeVarCharVector) root.getVector("ls"))
          .setSafe(i, ("large-" + "x".repeat(i)).getBytes(StandardCharsets.UTF_8));
      ((VarBinaryVector) root.getVector("bin")).setSafe(i, new byte[] {(byte) i, 0, (byte) 0xFF});
      ListVector list = (ListVector) root.getVector("list");
      int off = list.startNewValue(i);
      IntVector items = (IntVector) list.getDataVector();
      for (int k = 0; k < i % 4; k++) {
        if (k == 1) {
          items.setNull(off + k);
        } else {
          items.setSafe(off + k, i * 10 + k);
        }
      }
      list.endValue(i, i % 4);
      FixedSizeListVector fsl = (FixedSizeListVector) root.getVector("fsl");
      fsl.setNotNull(i);
      Float4Vector fv = (Float4Vector) fsl.getDataVector();
      for (int k = 0; k < 3; k++) {
        fv.setSafe(i * 3 + k, i + k / 10f);
      }
      StructVector st = (StructVector) root.getVector("st");
      st.setIndexDefined(i);
      st.getChild("a", IntVector.class).setSafe(i, -i);
      if (i % 2 == 0) {
        st.getChild("c", VarCharVector.class)
            .setSafe(i, ("c" + i).getBytes(StandardCharsets.UTF_8));
      } else {
        st.getChild("c", VarCharVector.class).setNull(i);
      }
      ((TimeStampMicroTZVector) root.getVector("ts_us_utc")).setSafe(i, 1_700_000_000_000_000L + i);
      ((TimeStampNanoVector) root.getVector("ts_ns")).setSafe(i, -1_000_000_000L * i);
    }
    root.setRowCount(N);
    return root;
  }

  static void assertSameRows(
      VectorSchemaRoot expected, int[] expectedRows, VectorSchemaRoot actual) {
    assertThat(actual.getRowCount()).isEqualTo(expectedRows.length);
    for (Field field : expected.getSchema().getFields()) {
      FieldVector e = expected.getVector(field.getName());
      FieldVector a = actual.getVector(field.getName());
      assertThat(a).as(field.getName()).isNotNull();
      assertThat(a.getField().getType()).as(field.getName()).isEqualTo(field.getType());
      for (int i = 0; i < expectedRows.length; i++) {
        Object want = e.getObject(expectedRows[i]);
        Object got = a.getObject(i);
        assertThat(a.isNull(i))
            .as("%s[%d] null", field.getName(), i)
            .isEqualTo(e.isNull(expectedRows[i]));
        assertThat(
                Objects.deepEquals(want, got) || String.valueOf(want).equals(String.valueOf(got)))
            .as("%s[%d]: want %s got %s", field.getName(), i, want, got)
            .isTrue();
      }
    }
  }

  @Test
  void allTypesByValueThroughScanAndTake() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        Connection db =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
        VectorSchemaRoot expected = fill(allocator);
        Table t = db.createTable("types", expected)) {
      assertThat(t.schema().getFields())
          .extracting(Field::getType)
          .containsExactlyElementsOf(schema().getFields().stream().map(Field::getType).toList());
      int[] all = new int[N];
      for (int i = 0; i < N; i++) {
        all[i] = i;
      }
      // scan (possibly several batches): collect row by row into a single comparison
      int seen = 0;
      try (ArrowReader r = t.query().batchSize(10).toArrowReader()) {
        while (r.loadNextBatch()) {
          VectorSchemaRoot b = r.getVectorSchemaRoot();
          int[] rows = new int[b.getRowCount()];
          for (int i = 0; i < rows.length; i++) {
            rows[i] = seen + i;
          }
          assertSameRows(expected, rows, b);
          seen += rows.length;
        }
      }
      assertThat(seen).isEqualTo(N);
      int[] perm = {36, 4, 0, 9, 9, 17, 1, 35, 4, 22};
      long[] offsets = new long[perm.length];
      for (int i = 0; i < perm.length; i++) {
        offsets[i] = perm[i];
      }
      try (VectorSchemaRoot got = t.takeOffsets(offsets, null)) {
        assertSameRows(expected, perm, got);
      }
    }
  }
}
