package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The AtenTensorHandle -> JavaCPP Tensor adoption: refcount, data pointer, release order. */
class AdoptSmokeTest {
  @Test
  void adoptedTensorOwnsOneReferenceAndSeesArrowMemory() {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator()) {
      Tensor t;
      long buffer;
      try (Float4Vector v = new Float4Vector("x", a)) {
        v.allocateNew(3);
        for (int i = 0; i < 3; i++) {
          v.set(i, i * 1.5f);
        }
        v.setValueCount(3);
        buffer = v.getDataBufferAddress();
        try (VectorSchemaRoot root = Fixtures.root(v);
            TorchBatch b = TorchBatch.fromRoot(root, a)) {
          t = b.column("x");
        }
      }
      assertThat(t.use_count()).isEqualTo(1);
      assertThat(Fixtures.dataPtr(t)).isEqualTo(buffer);
      assertThat(Fixtures.value(t, 2)).isEqualTo(3.0);
      assertThat(BridgeStats.snapshot().liveBatches()).isEqualTo(before.liveBatches() + 1);
      assertThat(a.getAllocatedMemory()).isPositive();
      t.close();
      assertThat(a.getAllocatedMemory()).isZero();
    }
    Fixtures.assertBalanced(before);
  }
}
