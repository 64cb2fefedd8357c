package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.loader.PackedBatch;
import java.util.List;
import java.util.function.Function;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * Issue 23 item 4: the three holders of owned tensors share one base ({@link OwnedTensors}): every
 * tensor freed exactly once by the first close, closing twice is a no-op, every accessor after
 * close throws naming the holder.
 */
class OwnedTensorsTest {
  static Tensor tensor(long... shape) {
    NativeLibrary.load();
    try (TensorOptions o = new TensorOptions(ScalarType.Long);
        MemoryFormatOptional f = new MemoryFormatOptional()) {
      return torch.empty(shape, o, f);
    }
  }

  private static void closesOnceAndRefusesAfter(
      OwnedTensors holder, List<Tensor> owned, String name, List<Function<OwnedTensors, ?>> uses) {
    for (Function<OwnedTensors, ?> use : uses) {
      assertThat(use.apply(holder)).isNotNull();
    }
    assertThat(holder.isClosed()).isFalse();
    holder.close();
    assertThat(holder.isClosed()).isTrue();
    assertThat(owned).allSatisfy(t -> assertThat(t.isNull()).as("freed").isTrue());
    holder.close(); // a no-op
    for (Function<OwnedTensors, ?> use : uses) {
      assertThatThrownBy(() -> use.apply(holder))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(name + " is closed");
    }
  }

  @Test
  void paddedColumn() {
    Tensor p = tensor(2, 3);
    Tensor l = tensor(2);
    Tensor m = tensor(2, 3);
    closesOnceAndRefusesAfter(
        new PaddedColumn(p, l, m),
        List.of(p, l, m),
        "PaddedColumn",
        List.of(
            h -> ((PaddedColumn) h).padded(),
            h -> ((PaddedColumn) h).lengths(),
            h -> ((PaddedColumn) h).mask()));
  }

  @Test
  void jaggedColumn() {
    Tensor v = tensor(5);
    Tensor o = tensor(3);
    JaggedColumn j = new JaggedColumn(v, o);
    assertThat(j.numRows()).isEqualTo(2);
    closesOnceAndRefusesAfter(
        j,
        List.of(v, o),
        "JaggedColumn",
        List.of(
            h -> ((JaggedColumn) h).values(),
            h -> ((JaggedColumn) h).offsets(),
            h -> ((JaggedColumn) h).numRows()));
  }

  @Test
  void packedBatchSharesTheBase() {
    assertThat(OwnedTensors.class).isAssignableFrom(PackedBatch.class);
    assertThat(OwnedTensors.class).isAssignableFrom(PaddedColumn.class);
    assertThat(OwnedTensors.class).isAssignableFrom(JaggedColumn.class);
  }

  @Test
  void aNullTensorIsRefusedAtConstruction() {
    Tensor v = tensor(1);
    try {
      assertThatThrownBy(() -> new JaggedColumn(v, null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("JaggedColumn");
    } finally {
      v.close();
    }
  }
}
