package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * FixedSizeList<float32, D>: (R, D) and (D, R) zero-copy views, slices, offsets, stack of one
 * column.
 */
class FixedSizeListTest {
  static final int R = 9;
  static final int D = 4;

  private static void assertRowMajor(Tensor t, int rows, int firstRow) {
    assertThat(Fixtures.shape(t)).containsExactly(rows, D);
    assertThat(Fixtures.strides(t)).containsExactly(D, 1);
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < D; k++) {
        assertThat(Fixtures.value(t, r, k)).isEqualTo(Columns.emb(firstRow + r, k));
      }
    }
  }

  private static void assertColumnMajor(Tensor t, int rows, int firstRow) {
    assertThat(Fixtures.shape(t)).containsExactly(D, rows);
    assertThat(Fixtures.strides(t)).containsExactly(1, D);
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < D; k++) {
        assertThat(Fixtures.value(t, k, r)).isEqualTo(Columns.emb(firstRow + r, k));
      }
    }
  }

  @Test
  void rowAndColumnMajorViewsShareTheArrowBuffer() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          FixedSizeListVector v = Columns.embeddings(a, "emb", R, D);
          long items = v.getDataVector().getDataBufferAddress();
          try (VectorSchemaRoot root = Fixtures.root(v);
              TorchBatch b = TorchBatch.fromRoot(root, a);
              Tensor rm = b.column("emb");
              Tensor cm = b.columnMajor("emb");
              Tensor st = b.stack(List.of("emb"))) {
            assertRowMajor(rm, R, 0);
            assertColumnMajor(cm, R, 0);
            assertColumnMajor(st, R, 0);
            assertThat(Fixtures.dataPtr(rm)).isEqualTo(items);
            assertThat(Fixtures.dataPtr(cm)).isEqualTo(items);
            assertThat(Fixtures.dataPtr(st)).isEqualTo(items);
          }
        });
  }

  @Test
  void slicesAndOffsetsStayZeroCopy() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          try (VectorSchemaRoot root = Fixtures.root(Columns.embeddings(a, "emb", R, D));
              VectorSchemaRoot slice = root.slice(3, 5);
              TorchBatch b = TorchBatch.fromRoot(slice, a);
              Tensor t = b.column("emb")) {
            FieldVector items = ((FixedSizeListVector) slice.getVector(0)).getDataVector();
            assertRowMajor(t, 5, 3);
            assertThat(Fixtures.dataPtr(t)).isEqualTo(items.getDataBufferAddress());
          }
          FixedSizeListVector v = Columns.embeddings(a, "emb", R, D);
          long base = v.getDataVector().getDataBufferAddress();
          try (VectorSchemaRoot root = Fixtures.root(v);
              TorchBatch b = Fixtures.exportSliced(a, root, 2, R - 2);
              Tensor rm = b.column("emb");
              Tensor cm = b.columnMajor("emb")) {
            assertRowMajor(rm, R - 2, 2);
            assertColumnMajor(cm, R - 2, 2);
            assertThat(Fixtures.dataPtr(rm)).isEqualTo(base + 2L * D * 4);
            assertThat(Fixtures.dataPtr(cm)).isEqualTo(base + 2L * D * 4);
          }
        });
  }

  @Test
  void emptyAndSingleRow() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          for (int rows : new int[] {0, 1}) {
            try (VectorSchemaRoot root = Fixtures.root(Columns.embeddings(a, "emb", rows, D));
                TorchBatch b = TorchBatch.fromRoot(root, a);
                Tensor rm = b.column("emb");
                Tensor cm = b.columnMajor("emb")) {
              assertRowMajor(rm, rows, 0);
              assertThat(Fixtures.shape(cm)).containsExactly(D, rows);
            }
          }
        });
  }
}
