package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every supported dtype: values, dtype, zero-copy addresses, slices and C-level offsets, R = 0 / 1
 * / 37.
 */
class DtypeValuesTest {
  static List<DtypeCases> cases() {
    return DtypeCases.all();
  }

  private static void assertColumn(Tensor t, DtypeCases c, int n, int first) {
    assertThat(t.scalar_type().intern()).isEqualTo(c.dtype());
    assertThat(Fixtures.shape(t)).containsExactly(n);
    for (int i = 0; i < n; i++) {
      assertThat(Fixtures.value(t, i))
          .as("%s row %d", c, i)
          .isEqualTo(c.expected().applyAsDouble(first + i));
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void valuesAndZeroCopyForEveryLength(DtypeCases c) {
    BridgeStats before = BridgeStats.snapshot();
    for (int n : new int[] {0, 1, 37}) {
      try (RootAllocator a = new RootAllocator()) {
        FieldVector v = c.build(a, n);
        try (VectorSchemaRoot root = Fixtures.root(v);
            TorchBatch b = TorchBatch.fromRoot(root, a);
            Tensor t = b.column(c.name())) {
          assertThat(b.numRows()).isEqualTo(n);
          assertColumn(t, c, n, 0);
          if (c.width() > 0 && n > 0) {
            assertThat(Fixtures.dataPtr(t)).as("zero-copy").isEqualTo(v.getDataBufferAddress());
          } else if (n > 0) {
            assertThat(Fixtures.dataPtr(t))
                .as("bool is unpacked into a copy")
                .isNotEqualTo(v.getDataBufferAddress());
          }
        }
        assertThat(a.getAllocatedMemory()).isZero();
      }
    }
    Fixtures.assertBalanced(before);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void copyPathsConvertEveryDtype(DtypeCases c) {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator()) {
      FieldVector v = c.build(a, 20);
      ((org.apache.arrow.vector.BaseFixedWidthVector) v).setNull(4);
      try (VectorSchemaRoot root = Fixtures.root(v, Columns.floats(a, "f32", 20, 0.75f));
          TorchBatch b = TorchBatch.fromRoot(root, a);
          Tensor filled = b.column(c.name(), ColumnOptions.defaults().fillNulls(7));
          Tensor f32AsOwn = b.stack(List.of("f32"), c.dtype())) {
        assertThat(filled.scalar_type().intern()).isEqualTo(c.dtype());
        for (int i = 0; i < 20; i++) {
          double want =
              i == 4
                  ? (c.dtype() == org.bytedeco.pytorch.global.torch.ScalarType.Bool ? 1 : 7)
                  : c.expected().applyAsDouble(i);
          assertThat(Fixtures.value(filled, i)).as("%s fill row %d", c, i).isEqualTo(want);
          double f = i * 0.75f;
          double cast =
              switch (c.dtype()) {
                case Half, Float, Double -> f;
                case Bool -> f != 0 ? 1 : 0;
                default -> Math.floor(f);
              };
          assertThat(Fixtures.value(f32AsOwn, 0, i))
              .as("float32 -> %s row %d", c, i)
              .isEqualTo(cast);
        }
      }
      try (VectorSchemaRoot root = Fixtures.root(c.build(a, 20));
          TorchBatch b = TorchBatch.fromRoot(root, a);
          Tensor asDouble =
              b.stack(List.of(c.name()), org.bytedeco.pytorch.global.torch.ScalarType.Double)) {
        for (int i = 0; i < 20; i++) {
          assertThat(Fixtures.value(asDouble, 0, i))
              .as("%s -> float64 row %d", c, i)
              .isEqualTo(c.expected().applyAsDouble(i));
        }
      }
      assertThat(a.getAllocatedMemory()).isZero();
    }
    Fixtures.assertBalanced(before);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void javaSliceIsViewedWithoutCopy(DtypeCases c) {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator()) {
      Tensor t;
      try (VectorSchemaRoot root = Fixtures.root(c.build(a, 40));
          VectorSchemaRoot slice = root.slice(8, 21);
          TorchBatch b = TorchBatch.fromRoot(slice, a)) {
        t = b.column(c.name());
        if (c.width() > 0) {
          long sliced = ((FieldVector) slice.getVector(0)).getDataBufferAddress();
          assertThat(Fixtures.dataPtr(t)).isEqualTo(sliced);
        }
      }
      assertColumn(t, c, 21, 8); // the tensor outlives root, slice and batch
      t.close();
      assertThat(a.getAllocatedMemory()).isZero();
    }
    Fixtures.assertBalanced(before);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void arrowOffsetsBecomePointerArithmetic(DtypeCases c) {
    BridgeStats before = BridgeStats.snapshot();
    for (boolean onStruct : new boolean[] {true, false}) {
      try (RootAllocator a = new RootAllocator()) {
        FieldVector v = c.build(a, 30);
        long base = v.getDataBufferAddress();
        try (VectorSchemaRoot root = Fixtures.root(v);
            TorchBatch b =
                Fixtures.exportPatched(
                    a,
                    root,
                    top -> {
                      Fixtures.putField(top, Fixtures.LENGTH, 30 - 7);
                      if (onStruct) {
                        Fixtures.putField(top, Fixtures.OFFSET, 7);
                      } else {
                        long child = Fixtures.childAddress(top, 0);
                        Fixtures.putField(child, Fixtures.OFFSET, 7);
                        Fixtures.putField(child, Fixtures.LENGTH, 30 - 7);
                      }
                    });
            Tensor t = b.column(c.name())) {
          assertThat(b.numRows()).isEqualTo(23);
          assertColumn(t, c, 23, 7);
          if (c.width() > 0) {
            assertThat(Fixtures.dataPtr(t)).isEqualTo(base + 7L * c.width());
          }
        }
        assertThat(a.getAllocatedMemory()).isZero();
      }
    }
    Fixtures.assertBalanced(before);
  }
}
