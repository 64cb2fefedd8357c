package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Table;
import dev.lancetorch.internal.bridge.SchemaExports;
import dev.lancetorch.torch.BridgeStats;
import dev.lancetorch.torch.NullFill;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tensor formats of a permutation: values equal the ARROW values, zero-copy where the bridge
 * allows.
 */
class PermutationTorchTest extends TableFixture {
  Table perm;
  static final int PER = 200;
  static final int N = 3 * PER;

  PermutationTorchTest() {
    super(3, PER);
  }

  @BeforeEach
  void createPermutationTable() {
    long[] rowIds =
        LongStream.range(0, N)
            .map(i -> TestTables.address((int) ((i * 13) % N / PER), (i * 13) % N % PER))
            .toArray();
    perm = TestTables.permutationTable(db, "perm", rowIds, new long[N], null);
  }

  @AfterEach
  void closePermutationTable() {
    perm.close();
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
  }

  List<Permutation<ArrowBatch>> perms() {
    return List.of(
        Permutation.identity(table).withSkip(50).withTake(300),
        Permutation.fromTables(table, perm, 0).withTake(300));
  }

  /**
   * t[idx...] as a double; every intermediate view is closed (views keep the Arrow batch alive).
   */
  static double value(Tensor t, long... idx) {
    Tensor v = t;
    try {
      for (long i : idx) {
        Tensor next = v.select(0, i);
        if (v != t) {
          v.close();
        }
        v = next;
      }
      return v.item_double();
    } finally {
      if (v != t) {
        v.close();
      }
    }
  }

  @Test
  void everyTensorFormatEqualsArrowValues() {
    for (Permutation<ArrowBatch> base : perms()) {
      Permutation<ArrowBatch> p = base.selectColumns("id", "x").withBatchSize(64);
      try (BatchIterator<ArrowBatch> arrow = p.iterator();
          BatchIterator<Tensor> col = p.withFormat(Format.TORCH_COL).iterator();
          BatchIterator<TensorDict> dict = p.withFormat(Format.TORCH_DICT).iterator();
          BatchIterator<TensorList> rows = p.withFormat(Format.TORCH_ROW).iterator();
          BatchIterator<TensorRowMaps> maps = p.withFormat(Format.TORCH).iterator()) {
        int batches = 0;
        while (arrow.hasNext()) {
          batches++;
          try (ArrowBatch a = arrow.next();
              Tensor c = col.next();
              TensorDict d = dict.next();
              TensorList r = rows.next();
              TensorRowMaps m = maps.next()) {
            BigIntVector id = (BigIntVector) a.column("id");
            Float4Vector x = (Float4Vector) a.column("x");
            assertThat(c.size(0)).isEqualTo(2);
            assertThat(c.size(1)).isEqualTo(a.numRows());
            assertThat(d.keySet()).containsExactly("id", "x");
            assertThat(r).hasSize(a.numRows());
            assertThat(m).hasSize(a.numRows());
            for (int i = 0; i < a.numRows(); i++) {
              assertThat(value(c, 0, i)).isEqualTo((double) id.get(i));
              assertThat(value(c, 1, i)).isEqualTo((double) x.get(i));
              assertThat(value(d.get("id"), i)).isEqualTo((double) id.get(i));
              assertThat(value(d.get("x"), i)).isEqualTo((double) x.get(i));
              assertThat(value(r.get(i), 0)).isEqualTo((double) id.get(i));
              assertThat(value(r.get(i), 1)).isEqualTo((double) x.get(i));
              assertThat(m.get(i).get("id").dim()).isZero();
              assertThat(m.get(i).get("x").item_double()).isEqualTo((double) x.get(i));
            }
          }
        }
        assertThat(batches).isEqualTo(300 / 64);
        assertThat(col.hasNext()).isFalse();
      }
    }
  }

  @Test
  void fixedSizeListColumnsBecomeMatrices() {
    for (Permutation<ArrowBatch> base : perms()) {
      Permutation<ArrowBatch> p = base.selectColumns("vec", "id");
      try (ArrowBatch a = p.takeOffsets(0, 7, 299);
          TensorDict d = p.withFormat(Format.TORCH_DICT).takeOffsets(0, 7, 299)) {
        Tensor vec = d.get("vec");
        assertThat(vec.dim()).isEqualTo(2);
        assertThat(vec.size(0)).isEqualTo(3);
        assertThat(vec.size(1)).isEqualTo(TestTables.DIM);
        BigIntVector id = (BigIntVector) a.column("id");
        for (int i = 0; i < 3; i++) {
          for (int j = 0; j < TestTables.DIM; j++) {
            assertThat(value(vec, i, j)).isEqualTo((double) TestTables.vec(id.get(i), j));
          }
        }
      }
      try (Tensor dr = p.selectColumns("vec").withFormat(Format.TORCH_COL).takeOffsets(1, 2)) {
        assertThat(dr.size(0)).isEqualTo(TestTables.DIM); // (D, R): first dim indexes the columns
        assertThat(dr.size(1)).isEqualTo(2);
      }
    }
  }

  @Test
  void singleColumnTorchColIsZeroCopy() {
    Permutation<ArrowBatch> p = Permutation.identity(table).selectColumns("x").withBatchSize(100);
    try (BatchIterator<ArrowBatch> it = p.iterator()) {
      ArrowBatch a = it.next();
      long address = a.column("x").getDataBufferAddress();
      try (Tensor t =
          (Tensor)
              BatchFormatter.format(Format.TORCH_COL, a, new SchemaExports(), NullFill.none())) {
        assertThat(t.data_ptr().address()).isEqualTo(address);
        assertThat(a.isClosed()).isTrue();
        assertThat(value(t, 0, 99)).isEqualTo((double) TestTables.x(99));
      }
    }
  }

  @Test
  void identityTensorReadsComeStraightFromTheNativeScanWithoutCopies() {
    BridgeStats before = BridgeStats.snapshot();
    Permutation<TensorDict> p =
        Permutation.identity(table)
            .selectColumns("x", "vec")
            .withTake(PER)
            .withFormat(Format.TORCH_DICT);
    int batches = 0;
    try (BatchIterator<TensorDict> it = p.iter(50, false)) {
      while (it.hasNext()) {
        try (TensorDict d = it.next()) {
          assertThat(value(d.get("x"), 49)).isEqualTo((double) TestTables.x(batches * 50L + 49));
          batches++;
        }
      }
    }
    BridgeStats after = BridgeStats.snapshot();
    assertThat(batches).isEqualTo(PER / 50);
    assertThat(after.batchesImported() - before.batchesImported())
        .as("native scan batches")
        .isGreaterThan(0);
    assertThat(after.tensorsCopied())
        .as("no copy inside a scan batch")
        .isEqualTo(before.tensorsCopied());
  }

  @Test
  void stackedFormatsRejectStringsWithTheColumnNameDictGivesBytesAndOffsets() {
    Permutation<Tensor> p = Permutation.identity(table).withFormat(Format.TORCH_COL);
    assertThatThrownBy(() -> p.takeOffsets(1)).hasMessageContaining("label");
    Permutation<TensorDict> d =
        Permutation.identity(table).selectColumns("label").withFormat(Format.TORCH_DICT);
    try (TensorDict t = d.takeOffsets(1)) {
      assertThat(t.keySet()).containsExactly("label", "label.offsets");
      assertThat(t.get("label").size(0)).isEqualTo(TestTables.label(1).length());
    }
  }

  @Test
  void closedTensorBatchesThrow() {
    TensorDict d =
        Permutation.identity(table)
            .selectColumns("id")
            .withFormat(Format.TORCH_DICT)
            .takeOffsets(3);
    assertThat(d.get("id").item_long()).isEqualTo(3);
    d.close();
    d.close();
    assertThatThrownBy(() -> d.get("id")).isInstanceOf(IllegalStateException.class);
  }
}
