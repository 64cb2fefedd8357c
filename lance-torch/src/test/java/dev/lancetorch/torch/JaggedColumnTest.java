package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionLargeListWriter;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Variable-length columns through the bridge: zero-copy values + offsets, slices, nulls, padding,
 * errors.
 */
class JaggedColumnTest {
  static final int R = 7;

  /** Row r has (r * 3) % 5 tokens r * 100 + k. */
  static int len(int r) {
    return (r * 3) % 5;
  }

  static ListVector tokens(BufferAllocator a, String name, int rows, int... nullRows) {
    ListVector v = ListVector.empty(name, a);
    UnionListWriter w = v.getWriter();
    for (int r = 0; r < rows; r++) {
      w.setPosition(r);
      if (contains(nullRows, r)) {
        w.writeNull();
        continue;
      }
      w.startList();
      for (int k = 0; k < len(r); k++) {
        w.writeInt(r * 100 + k);
      }
      w.endList();
    }
    v.setValueCount(rows);
    return v;
  }

  private static boolean contains(int[] a, int x) {
    for (int i : a) {
      if (i == x) {
        return true;
      }
    }
    return false;
  }

  static int[] ints(Tensor t) {
    int[] out = new int[(int) t.numel()];
    try (Tensor k = t.contiguous();
        Tensor c = k.to(org.bytedeco.pytorch.global.torch.ScalarType.Int)) {
      c.data_ptr_int().get(out);
    }
    return out;
  }

  static long[] longs(Tensor t) {
    long[] out = new long[(int) t.numel()];
    try (Tensor k = t.contiguous();
        Tensor c = k.to(org.bytedeco.pytorch.global.torch.ScalarType.Long)) {
      c.data_ptr_long().get(out);
    }
    return out;
  }

  static int[] expectedValues(int from, int to) {
    return java.util.stream.IntStream.range(from, to)
        .flatMap(r -> java.util.stream.IntStream.range(0, len(r)).map(k -> r * 100 + k))
        .toArray();
  }

  static int[] expectedOffsets(int from, int to) {
    int[] o = new int[to - from + 1];
    for (int r = from; r < to; r++) {
      o[r - from + 1] = o[r - from] + len(r);
    }
    return o;
  }

  @Test
  void listValuesAndOffsetsAreTheArrowBuffers() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          ListVector v = tokens(a, "tok", R);
          long values = ((IntVector) v.getDataVector()).getDataBufferAddress();
          long offsets = v.getOffsetBufferAddress();
          try (VectorSchemaRoot root = Fixtures.root(v);
              TorchBatch b = TorchBatch.fromRoot(root, a);
              JaggedColumn j = b.jagged("tok")) {
            assertThat(b.isVariableLength("tok")).isTrue();
            assertThat(Fixtures.dataPtr(j.values())).isEqualTo(values);
            assertThat(Fixtures.dataPtr(j.offsets())).isEqualTo(offsets);
            assertThat(ints(j.values())).containsExactly(expectedValues(0, R));
            assertThat(ints(j.offsets())).containsExactly(expectedOffsets(0, R));
            assertThat(j.numRows()).isEqualTo(R);
            assertThat(BridgeStats.snapshot().tensorsCopied()).isEqualTo(before.tensorsCopied());
          }
        });
  }

  @Test
  void slicedArraysViewTheValuesAndRebaseTheOffsets() {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator()) {
      ListVector v = tokens(a, "tok", R);
      long values = ((IntVector) v.getDataVector()).getDataBufferAddress();
      try (VectorSchemaRoot root = Fixtures.root(v);
          TorchBatch b = Fixtures.exportSliced(a, root, 2, R - 2);
          JaggedColumn j = b.jagged("tok");
          JaggedColumn range = b.jagged("tok", 1, 3, ColumnOptions.defaults())) {
        int skipped = expectedOffsets(0, 2)[2];
        assertThat(Fixtures.dataPtr(j.values())).isEqualTo(values + 4L * skipped);
        assertThat(ints(j.offsets())).containsExactly(expectedOffsets(2, R));
        assertThat(ints(j.values())).containsExactly(expectedValues(2, R));
        assertThat(ints(range.offsets())).containsExactly(expectedOffsets(3, 6));
        assertThat(ints(range.values())).containsExactly(expectedValues(3, 6));
      }
    }
    Fixtures.assertBalanced(before);
  }

  @Test
  void bytesAndStringsAreUint8ValuesOverTheDataBuffer() {
    try (RootAllocator a = new RootAllocator()) {
      VarCharVector s = new VarCharVector("caption", a);
      VarBinaryVector bin = new VarBinaryVector("png", a);
      String[] words = {"a", "", "héllo", "xyz"};
      for (int i = 0; i < words.length; i++) {
        s.setSafe(i, words[i].getBytes(StandardCharsets.UTF_8));
        bin.setSafe(i, new byte[] {(byte) i, (byte) (i + 1)});
      }
      s.setValueCount(words.length);
      bin.setValueCount(words.length);
      long sData = s.getDataBufferAddress();
      long binData = bin.getDataBufferAddress();
      try (VectorSchemaRoot root = Fixtures.root(s, bin);
          TorchBatch b = TorchBatch.fromRoot(root, a);
          JaggedColumn cs = b.jagged("caption");
          JaggedColumn cb = b.jagged("png")) {
        assertThat(Fixtures.dataPtr(cs.values())).isEqualTo(sData);
        assertThat(Fixtures.dataPtr(cb.values())).isEqualTo(binData);
        assertThat(cs.values().scalar_type().intern())
            .isEqualTo(org.bytedeco.pytorch.global.torch.ScalarType.Byte);
        assertThat(ints(cs.offsets())).containsExactly(0, 1, 1, 7, 10);
        byte[] bytes = new byte[(int) cs.values().numel()];
        cs.values().data_ptr_byte().get(bytes);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("ahélloxyz");
      }
    }
  }

  @Test
  void largeListsHaveInt64Offsets() {
    try (RootAllocator a = new RootAllocator()) {
      LargeListVector v = LargeListVector.empty("big", a);
      UnionLargeListWriter w = v.getWriter();
      for (int r = 0; r < 3; r++) {
        w.setPosition(r);
        w.startList();
        for (int k = 0; k <= r; k++) {
          w.writeFloat8(r + k / 10.0);
        }
        w.endList();
      }
      v.setValueCount(3);
      try (VectorSchemaRoot root = Fixtures.root(v);
          TorchBatch b = TorchBatch.fromRoot(root, a);
          JaggedColumn j = b.jagged("big")) {
        assertThat(j.offsets().scalar_type().intern())
            .isEqualTo(org.bytedeco.pytorch.global.torch.ScalarType.Long);
        assertThat(Fixtures.dataPtr(j.offsets())).isEqualTo(v.getOffsetBuffer().memoryAddress());
        assertThat(longs(j.offsets())).containsExactly(0, 1, 3, 6);
        assertThat(Fixtures.value(j.values(), 5)).isEqualTo(2.2);
      }
    }
  }

  @Test
  void nullRowsAreAnErrorNamingColumnAndRowOrEmptyWithAFill() {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator();
        VectorSchemaRoot root = Fixtures.root(tokens(a, "tok", R, 3, 5));
        TorchBatch b = TorchBatch.fromRoot(root, a)) {
      assertThatThrownBy(() -> b.jagged("tok"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("column 'tok'")
          .hasMessageContaining("2 null row(s), the first at row 3");
      try (JaggedColumn j = b.jagged("tok", 0, 0, ColumnOptions.defaults().fillNulls(0))) {
        int[] o = ints(j.offsets());
        assertThat(o[4] - o[3]).isZero();
        assertThat(o[6] - o[5]).isZero();
      }
      assertThatThrownBy(() -> b.padded("tok", PadOptions.fixed(4)))
          .hasMessageContaining("first at row 3");
    }
    Fixtures.assertBalanced(before);
  }

  @Test
  void paddedBatchCarriesLengthsAndMask() {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator();
        VectorSchemaRoot root = Fixtures.root(tokens(a, "tok", R));
        TorchBatch b = TorchBatch.fromRoot(root, a)) {
      try (PaddedColumn p = b.padded("tok", PadOptions.fixed(3).padValue(-1))) {
        assertThat(Fixtures.shape(p.padded())).containsExactly(R, 3);
        int[] v = ints(p.padded());
        long[] lengths = longs(p.lengths());
        int[] mask = ints(p.mask());
        for (int r = 0; r < R; r++) {
          assertThat(lengths[r]).isEqualTo(Math.min(len(r), 3));
          for (int k = 0; k < 3; k++) {
            boolean real = k < len(r);
            assertThat(v[r * 3 + k]).isEqualTo(real ? r * 100 + k : -1);
            assertThat(mask[r * 3 + k]).isEqualTo(real ? 1 : 0);
          }
        }
      }
      try (PaddedColumn p = b.padded("tok", PadOptions.batchMax())) {
        assertThat(Fixtures.shape(p.padded())).containsExactly(R, 4);
      }
      try (PaddedColumn p = b.padded("tok", 0, 2, PadOptions.batchMax())) {
        assertThat(Fixtures.shape(p.padded()))
            .containsExactly(2, 3); // rows 0 (0 tokens) and 1 (3 tokens)
      }
      Map<String, Tensor> d =
          b.dictWithOffsets(
              List.of("tok"), Map.of("tok", "ids"), Map.of("ids", PadOptions.fixed(2)));
      try {
        assertThat(d.keySet()).containsExactly("ids", "ids.lengths", "ids.mask");
      } finally {
        d.values().forEach(Tensor::close);
      }
    }
    Fixtures.assertBalanced(before);
    assertThatThrownBy(() -> PadOptions.fixed(0))
        .hasMessageContaining("pad length must be in [1, ");
  }

  @Test
  void dictGivesValuesAndOffsetsAndFixedAccessorsRefuse() {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator();
        VectorSchemaRoot root = Fixtures.root(tokens(a, "tok", R), Columns.ints(a, "id", R));
        TorchBatch b = TorchBatch.fromRoot(root, a)) {
      Map<String, Tensor> d = b.dictWithOffsets(List.of("id", "tok"), Map.of(), Map.of());
      try {
        assertThat(d.keySet()).containsExactly("id", "tok", "tok.offsets");
        assertThat(ints(d.get("tok.offsets"))).containsExactly(expectedOffsets(0, R));
      } finally {
        d.values().forEach(Tensor::close);
      }
      assertThatThrownBy(() -> b.column("tok"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("column 'tok'");
      assertThatThrownBy(() -> b.jagged("id"))
          .hasMessageContaining("column 'id'")
          .hasMessageContaining("not a variable-length column");
      JaggedColumn j = b.jagged("tok");
      j.close();
      j.close();
      assertThatThrownBy(j::values).isInstanceOf(IllegalStateException.class);
    }
    Fixtures.assertBalanced(before);
  }

  @Test
  void nestedAndNonNumericListsAreRejectedNamingTheColumn() {
    try (RootAllocator a = new RootAllocator()) {
      ListVector nested = ListVector.empty("deep", a);
      UnionListWriter w = nested.getWriter();
      w.setPosition(0);
      w.startList();
      org.apache.arrow.vector.complex.writer.BaseWriter.ListWriter inner = w.list();
      inner.startList();
      inner.integer().writeInt(1);
      inner.endList();
      w.endList();
      nested.setValueCount(1);
      ListVector words = ListVector.empty("words", a);
      UnionListWriter ww = words.getWriter();
      ww.setPosition(0);
      ww.startList();
      ww.writeVarChar("x");
      ww.endList();
      words.setValueCount(1);
      try (VectorSchemaRoot root = Fixtures.root(nested, words);
          TorchBatch b = TorchBatch.fromRoot(root, a)) {
        assertThatThrownBy(() -> b.jagged("deep"))
            .hasMessageContaining("column 'deep'")
            .hasMessageContaining("nested lists");
        assertThatThrownBy(() -> b.jagged("words"))
            .hasMessageContaining("column 'words'")
            .hasMessageContaining("is not numeric");
      }
    }
  }
}
