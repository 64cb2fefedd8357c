package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * stack(): single-column views, one gather for several columns, dtype promotion and casts; dict().
 */
class StackTest {
  static final int R = 11;

  @Test
  void stacksPromotesAndCasts() {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator()) {
      Float4Vector x = Columns.floats(a, "x", R, 0.5f);
      try (VectorSchemaRoot root =
              Fixtures.root(
                  x,
                  Columns.floats(a, "y", R, -2f),
                  Columns.ints(a, "n", R),
                  Columns.embeddings(a, "emb", R, 3));
          TorchBatch b = TorchBatch.fromRoot(root, a)) {
        BridgeStats mid = BridgeStats.snapshot();
        try (Tensor one = b.stack(List.of("x"))) {
          assertThat(Fixtures.shape(one)).containsExactly(1, R);
          assertThat(Fixtures.dataPtr(one))
              .as("single column: zero-copy")
              .isEqualTo(x.getDataBufferAddress());
        }
        assertThat(BridgeStats.snapshot().tensorsCopied()).isEqualTo(mid.tensorsCopied());
        try (Tensor xy = b.stack(List.of("x", "y"))) {
          assertThat(xy.scalar_type().intern()).isEqualTo(ScalarType.Float);
          assertThat(Fixtures.shape(xy)).containsExactly(2, R);
          assertThat(xy.is_contiguous()).isTrue();
          for (int r = 0; r < R; r++) {
            assertThat(Fixtures.value(xy, 0, r)).isEqualTo(r * 0.5f);
            assertThat(Fixtures.value(xy, 1, r)).isEqualTo(r * -2f);
          }
        }
        assertThat(BridgeStats.snapshot().tensorsCopied()).isEqualTo(mid.tensorsCopied() + 1);
        try (Tensor mixed = b.stack(List.of("n", "x", "emb"))) {
          assertThat(mixed.scalar_type().intern())
              .as("int32 + float32 -> float32")
              .isEqualTo(ScalarType.Float);
          assertThat(Fixtures.shape(mixed)).containsExactly(5, R);
          for (int r = 0; r < R; r++) {
            assertThat(Fixtures.value(mixed, 0, r)).isEqualTo(1000 + r);
            assertThat(Fixtures.value(mixed, 1, r)).isEqualTo(r * 0.5f);
            for (int k = 0; k < 3; k++) {
              assertThat(Fixtures.value(mixed, 2 + k, r)).isEqualTo(Columns.emb(r, k));
            }
          }
        }
        try (Tensor cast = b.stack(List.of("x"), ScalarType.Double);
            Tensor asInt = b.stack(List.of("n", "n"), ScalarType.Long)) {
          assertThat(cast.scalar_type().intern()).isEqualTo(ScalarType.Double);
          assertThat(Fixtures.dataPtr(cast)).isNotEqualTo(x.getDataBufferAddress());
          assertThat(Fixtures.value(cast, 0, 7)).isEqualTo(3.5);
          assertThat(asInt.scalar_type().intern()).isEqualTo(ScalarType.Long);
          assertThat(Fixtures.value(asInt, 1, 4)).isEqualTo(1004);
        }
        Map<String, Tensor> d = b.dict(List.of("y", "emb"));
        assertThat(d.keySet()).containsExactly("y", "emb");
        assertThat(Fixtures.shape(d.get("emb"))).containsExactly(R, 3);
        assertThat(Fixtures.value(d.get("y"), 3)).isEqualTo(-6.0);
        d.values().forEach(Tensor::close);
      }
      assertThat(a.getAllocatedMemory()).isZero();
    }
    Fixtures.assertBalanced(before);
  }
}
