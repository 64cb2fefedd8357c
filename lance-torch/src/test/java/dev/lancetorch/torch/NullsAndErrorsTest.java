package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Nulls (error or fill), non-numeric columns, misuse and malformed C structs: errors, never leaks.
 */
class NullsAndErrorsTest {
  @Test
  void nullsAreAnErrorUnlessFilled() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          try (VectorSchemaRoot root =
                  Fixtures.root(
                      Columns.floats(a, "x", 6, 1f, 2, 4), Columns.embeddings(a, "emb", 6, 2, 1));
              TorchBatch b = TorchBatch.fromRoot(root, a)) {
            assertThatThrownBy(() -> b.column("x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'")
                .hasMessageContaining("2 null");
            assertThatThrownBy(() -> b.column("emb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'emb'")
                .hasMessageContaining("1 null rows");
            assertThatThrownBy(() -> b.stack(List.of("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'");
            try (Tensor x = b.column("x", ColumnOptions.defaults().fillNulls(-1));
                Tensor e =
                    b.column("emb", ColumnOptions.defaults().fillNulls(42).columnMajor(true))) {
              assertThat(Fixtures.shape(x)).containsExactly(6);
              assertThat(Fixtures.value(x, 1)).isEqualTo(1.0);
              assertThat(Fixtures.value(x, 2)).isEqualTo(-1.0);
              assertThat(Fixtures.value(x, 4)).isEqualTo(-1.0);
              assertThat(Fixtures.value(x, 5)).isEqualTo(5.0);
              assertThat(Fixtures.shape(e)).containsExactly(2, 6);
              assertThat(Fixtures.value(e, 0, 1)).isEqualTo(42.0);
              assertThat(Fixtures.value(e, 1, 1)).isEqualTo(42.0);
              assertThat(Fixtures.value(e, 1, 2)).isEqualTo(Columns.emb(2, 1));
            }
          }
        });
  }

  @Test
  void nonNumericColumnsNameColumnAndFormat() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          VarCharVector s = new VarCharVector("name", a);
          s.allocateNew(2);
          s.set(0, "a".getBytes(StandardCharsets.UTF_8));
          s.set(1, "b".getBytes(StandardCharsets.UTF_8));
          s.setValueCount(2);
          ListVector l = ListVector.empty("tags", a);
          l.setValueCount(2);
          StructVector st = StructVector.empty("nested", a);
          st.setValueCount(2);
          try (VectorSchemaRoot root = Fixtures.root(s, l, st, Columns.floats(a, "ok", 2, 1f));
              TorchBatch b = TorchBatch.fromRoot(root, a)) {
            assertThat(b.columnNames()).containsExactly("name", "tags", "nested", "ok");
            assertThatThrownBy(() -> b.column("name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'name'")
                .hasMessageContaining("'u'");
            assertThatThrownBy(() -> b.column("tags"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'tags'")
                .hasMessageContaining("'+l'");
            assertThatThrownBy(() -> b.stack(List.of("ok", "nested")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nested'")
                .hasMessageContaining("'+s'");
            assertThatThrownBy(() -> b.column("missing"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no column 'missing'");
            try (Tensor ok = b.column("ok")) {
              assertThat(Fixtures.value(ok, 1)).isEqualTo(1.0);
            }
          }
        });
  }

  @Test
  void closedBatchRejectsUseAndClosesTwice() {
    try (RootAllocator a = new RootAllocator()) {
      try (VectorSchemaRoot root = Fixtures.root(Columns.floats(a, "x", 3, 1f))) {
        TorchBatch b = TorchBatch.fromRoot(root, a);
        b.close();
        b.close();
        assertThat(b.isClosed()).isTrue();
        assertThatThrownBy(() -> b.column("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> b.stack(List.of("x"))).isInstanceOf(IllegalStateException.class);
      }
      assertThat(a.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void malformedStructsAreRejectedAndReleasedOnce() {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator()) {
      try (VectorSchemaRoot root = Fixtures.root(Columns.floats(a, "x", 4, 1f))) {
        assertThatThrownBy(
                () ->
                    Fixtures.exportPatched(
                        a, root, top -> Fixtures.putField(top, Fixtures.LENGTH, -1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("negative length");
        assertThatThrownBy(
                () ->
                    Fixtures.exportPatched(
                        a,
                        root,
                        top ->
                            Fixtures.putField(Fixtures.childAddress(top, 0), Fixtures.OFFSET, -3)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("negative offset");
        assertThatThrownBy(
                () ->
                    Fixtures.exportPatched(
                        a, root, top -> Fixtures.putField(top, Fixtures.NULL_COUNT, 100)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("null_count exceeds length");
        // (child-count mismatches are covered by the C++ test: Arrow Java's own release
        // callback trusts n_children, so corrupting it here would crash the producer.)
        try (TorchBatch b =
            Fixtures.exportPatched(
                a,
                root,
                top -> Fixtures.putField(Fixtures.childAddress(top, 0), Fixtures.N_BUFFERS, 3))) {
          assertThatThrownBy(() -> b.column("x"))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("expected 2 buffers, got 3");
        }
        // An already-released struct pair is refused without touching it.
        try (ArrowArray arr = ArrowArray.allocateNew(a);
            ArrowSchema sch = ArrowSchema.allocateNew(a)) {
          Data.exportVectorSchemaRoot(a, root, null, arr, sch);
          TorchBatch.importFrom(arr.memoryAddress(), sch.memoryAddress()).close();
          assertThatThrownBy(() -> TorchBatch.importFrom(arr.memoryAddress(), sch.memoryAddress()))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("already released");
        }
        assertThatThrownBy(() -> TorchBatch.importFrom(0, 0))
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThat(a.getAllocatedMemory())
          .as("failed imports released the exported buffers")
          .isZero();
    }
    Fixtures.assertBalanced(before);
  }
}
