package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.internal.bridge.TorchSchema;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A schema exported once for many batches: same tensors, zero-copy, exactly-once release in any
 * order.
 */
class TorchSchemaTest {
  @Test
  void batchesConvertedWithASharedSchemaEqualThePlainPath() {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator()) {
      List<Tensor> kept = new ArrayList<>();
      try (TorchSchema schema = exportOf(a)) {
        for (int k = 0; k < 3; k++) {
          try (VectorSchemaRoot root =
                  Fixtures.root(
                      Columns.floats(a, "x", 16, k), Columns.embeddings(a, "emb", 16, 4));
              TorchBatch shared = new TorchBatch(schema.importBatch(root, a));
              TorchBatch plain = TorchBatch.fromRoot(root, a)) {
            assertThat(shared.columnNames()).containsExactly("x", "emb");
            try (Tensor x = shared.column("x");
                Tensor y = plain.column("x")) {
              assertThat(Fixtures.dataPtr(x))
                  .isEqualTo(root.getVector("x").getDataBufferAddress()); // zero-copy
              for (int i = 0; i < 16; i++) {
                assertThat(Fixtures.value(x, i)).isEqualTo(Fixtures.value(y, i));
              }
            }
            kept.add(shared.columnMajor("emb")); // outlives the batch, the root and the schema
          }
        }
      } // the schema handle is closed while tensors still use it
      for (Tensor t : kept) {
        assertThat(Fixtures.shape(t)).containsExactly(4, 16);
        t.close();
      }
      assertThat(a.getAllocatedMemory()).isZero();
    }
    Fixtures.assertBalanced(before);
  }

  @Test
  void aDifferentSchemaOrAClosedOneIsRefused() {
    try (RootAllocator a = new RootAllocator();
        TorchSchema schema = exportOf(a);
        VectorSchemaRoot other = Fixtures.root(Columns.floats(a, "y", 4, 1f))) {
      assertThatThrownBy(() -> schema.importBatch(other, a))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("differs");
      schema.close();
      schema.close();
      try (VectorSchemaRoot root =
          Fixtures.root(Columns.floats(a, "x", 16, 0f), Columns.embeddings(a, "emb", 16, 4))) {
        assertThatThrownBy(() -> schema.importBatch(root, a))
            .isInstanceOf(IllegalStateException.class);
      }
    }
  }

  private static TorchSchema exportOf(RootAllocator a) {
    try (VectorSchemaRoot root =
        Fixtures.root(Columns.floats(a, "x", 16, 0f), Columns.embeddings(a, "emb", 16, 4))) {
      return TorchSchema.export(root.getSchema(), a);
    }
  }
}
