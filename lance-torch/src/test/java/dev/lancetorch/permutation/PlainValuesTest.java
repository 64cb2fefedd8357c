package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;

class PlainValuesTest {
  @Test
  void plainJavaValuesAsLanceDbPythonGivesThem() {
    try (RootAllocator a = new RootAllocator();
        UInt8Vector u64 = new UInt8Vector("u64", a);
        UInt4Vector u32 = new UInt4Vector("u32", a);
        UInt1Vector u8 = new UInt1Vector("u8", a);
        VarCharVector s = new VarCharVector("s", a);
        VarBinaryVector b = new VarBinaryVector("b", a);
        DateDayVector d = new DateDayVector("d", a);
        ListVector l = ListVector.empty("l", a);
        StructVector st = StructVector.empty("st", a)) {
      u64.allocateNew(2);
      u64.set(0, -1L);
      u64.setNull(1);
      u32.allocateNew(1);
      u32.set(0, -1);
      u8.allocateNew(1);
      u8.set(0, (byte) -1);
      s.allocateNew();
      s.setSafe(0, "héllo".getBytes(StandardCharsets.UTF_8));
      b.allocateNew();
      b.setSafe(0, new byte[] {1, 2, 3});
      d.allocateNew(1);
      d.set(0, 19_000);
      UnionListWriter w = l.getWriter();
      w.setPosition(0);
      w.startList();
      w.integer().writeInt(7);
      w.integer().writeInt(8);
      w.endList();
      l.setValueCount(1);
      IntVector x =
          st.addOrGet("x", FieldType.nullable(new ArrowType.Int(32, true)), IntVector.class);
      VarCharVector y =
          st.addOrGet("y", FieldType.nullable(ArrowType.Utf8.INSTANCE), VarCharVector.class);
      x.allocateNew(1);
      x.set(0, 5);
      y.allocateNew();
      y.setSafe(0, "z".getBytes(StandardCharsets.UTF_8));
      st.setIndexDefined(0);
      st.setValueCount(1);

      assertThat(PlainValues.of(u64, 0)).isEqualTo(new BigInteger("18446744073709551615"));
      assertThat(PlainValues.of(u64, 1)).isNull();
      assertThat(PlainValues.of(u32, 0)).isEqualTo(4_294_967_295L);
      assertThat(PlainValues.of(u8, 0)).isEqualTo(255);
      assertThat(PlainValues.of(s, 0)).isEqualTo("héllo");
      assertThat(PlainValues.of(b, 0)).isEqualTo(new byte[] {1, 2, 3});
      assertThat(PlainValues.of(d, 0)).isEqualTo(LocalDate.ofEpochDay(19_000));
      assertThat(PlainValues.of(l, 0)).isEqualTo(List.of(7, 8));
      assertThat(PlainValues.of(st, 0)).isEqualTo(Map.of("x", 5, "y", "z"));
    }
  }
}
