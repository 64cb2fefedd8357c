package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.TorchGather;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The native gather is internal and takes checked batches: a closed or foreign source is a Java
 * exception, never a read of freed memory; the bridge's public types hand out no raw handles.
 */
class TorchGatherTest {
  @Test
  void gathersRowsFromCheckedSourceBatches() {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator();
        VectorSchemaRoot r0 = Fixtures.root(Columns.floats(a, "x", 4, 1f));
        VectorSchemaRoot r1 = Fixtures.root(Columns.floats(a, "x", 3, 10f));
        NativeBatch b0 = NativeBatch.fromRoot(r0, a);
        NativeBatch b1 = NativeBatch.fromRoot(r1, a);
        TorchGather g = TorchGather.create(List.of("x"), -1, 4, 4)) {
      // global rows: b0 holds 0..3, b1 holds 4..6; pick 6, 0, 5, 1
      g.fromBatches(
          List.of(b0, b1),
          new long[] {0, 4, 7},
          new long[] {6, 0, 5, 1},
          new long[] {0, 1, 2, 3},
          0,
          4);
      try (TorchBatch out = new TorchBatch(g.finish(0));
          Tensor x = out.column("x")) {
        double[] got = new double[4];
        for (int i = 0; i < 4; i++) {
          got[i] = Fixtures.value(x, i);
        }
        assertThat(got).containsExactly(20, 0, 10, 1);
      }
    }
    Fixtures.assertBalanced(before);
  }

  @Test
  void aClosedSourceBatchIsRefusedBeforeNativeCode() {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator();
        VectorSchemaRoot r0 = Fixtures.root(Columns.floats(a, "x", 4, 1f));
        TorchGather g = TorchGather.create(List.of("x"), -1, 4, 4)) {
      NativeBatch closed = NativeBatch.fromRoot(r0, a);
      closed.close();
      assertThatThrownBy(
              () ->
                  g.fromBatches(
                      List.of(closed), new long[] {0, 4}, new long[] {0}, new long[] {0}, 0, 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("TorchBatch is closed");
      assertThatThrownBy(() -> g.rows(closed, new long[] {0}, new long[] {0}, 0, 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("TorchBatch is closed");
      try (NativeBatch open = NativeBatch.fromRoot(r0, a)) {
        assertThatThrownBy(
                () ->
                    g.fromBatches(
                        List.of(open), new long[] {0}, new long[] {0}, new long[] {0}, 0, 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("starts has 1 entries for 1 source batches");
      }
    }
    Fixtures.assertBalanced(before);
  }

  @Test
  void aClosedGatherThrowsAndClosesOnce() {
    TorchGather g = TorchGather.create(List.of("x"), -1, 2, 3);
    assertThat(g.outputs()).isEqualTo(2);
    g.close();
    g.close();
    assertThatThrownBy(() -> g.finish(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TorchGather is closed");
    assertThatThrownBy(() -> TorchGather.create(List.of("x"), -1, 0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batches of 0 rows");
  }

  /** No public type of the bridge package takes or returns a native handle of the bridge. */
  @Test
  void theBridgeApiHandsOutNoRawHandles() throws Exception {
    for (String gone : List.of("TorchGather", "TorchSchema")) {
      assertThatThrownBy(() -> Class.forName("dev.lancetorch.torch." + gone))
          .isInstanceOf(ClassNotFoundException.class);
    }
    for (Class<?> c : List.of(TorchBatch.class, TorchScan.class, BridgeStats.class)) {
      for (Method m : c.getDeclaredMethods()) {
        if (!Modifier.isPublic(m.getModifiers())) {
          continue;
        }
        assertThat(m.getName()).as(c.getSimpleName()).isNotIn("handle", "handles", "adoptHandle");
        assertThat(Arrays.stream(m.getParameterTypes()).map(Class::getPackageName))
            .as(c.getSimpleName() + "." + m.getName())
            .noneMatch(p -> p.startsWith("dev.lancetorch.internal"));
      }
    }
  }
}
