package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Table;
import dev.lancetorch.torch.PadOptions;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 24 items 6 and 7: padding options naming a column that is not in the batch are an error
 * naming it (not a silently jagged column); a null fill or pad value that an integer column cannot
 * hold exactly (NaN, ±1e300, a fraction) is an error naming the column and dtype, on every read
 * path, not 0 or a saturated value.
 */
@Timeout(120)
class FillAndPadValuesTest extends TableFixture {
  Table nulls; // NullFillTest's table: x float32, n int32, vec FixedSizeList<float,2>, tok

  // list<int32>

  FillAndPadValuesTest() {
    super(1, 10);
  }

  @BeforeEach
  void createNulls() {
    try (VectorSchemaRoot first = NullFillTest.rows(db.allocator(), 0, 50)) {
      nulls = db.createTable("nulls", first);
    }
  }

  @AfterEach
  void closeNulls() {
    nulls.close();
  }

  /** Every batch of {@code p}, closed; the first failure is thrown. */
  private static void readAll(Permutation<?> p) {
    try (BatchIterator<?> it = p.iter(16, false)) {
      while (it.hasNext()) {
        Object b = it.next();
        assertThat(b).isNotNull();
        if (b instanceof TensorDict d) {
          d.close();
        } else if (b instanceof TensorRowMaps r) {
          r.close();
        } else if (b instanceof org.bytedeco.pytorch.Tensor t) {
          t.close();
        }
      }
    }
  }

  private List<Permutation<?>> paths(Permutation<ArrowBatch> p) {
    Permutation<ArrowBatch> shuffled =
        Permutation.builder(nulls).shuffle(3).toPermutations().split(0);
    return List.of(
        p, // identity: native scans
        shuffled, // takes
        shuffled.selectColumns("id", "x", "n").withReadAhead(1 << 20)); // planner
  }

  @Test
  void paddingForAColumnNotInTheBatchIsAnError() {
    Permutation<ArrowBatch> p = Permutation.identity(nulls).withNullFill(0);
    // a typo: refused at the call
    assertThatThrownBy(() -> p.withFormat(Format.torchDict(Map.of("tk", PadOptions.fixed(4)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 'tk'")
        .hasMessageContaining("tok");
    // the name before a rename
    assertThatThrownBy(
            () ->
                p.renameColumn("tok", "tokens")
                    .withFormat(Format.torchDict(Map.of("tok", PadOptions.fixed(4)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 'tok'")
        .hasMessageContaining("tokens");
    // a rename after the format, or a column removed after it
    Permutation<TensorDict> padded =
        p.withFormat(Format.torchDict(Map.of("tok", PadOptions.fixed(4))));
    assertThatThrownBy(() -> padded.renameColumn("tok", "tokens"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 'tok'");
    assertThatThrownBy(() -> padded.selectColumns("id", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 'tok'");
    // several unknown keys are all named
    assertThatThrownBy(
            () ->
                p.withFormat(
                    Format.torchDict(Map.of("a", PadOptions.fixed(1), "b", PadOptions.fixed(1)))))
        .hasMessageContaining("columns [a, b]");
    // the right name pads
    try (BatchIterator<TensorDict> it = padded.iter(16, false);
        TensorDict d = it.next()) {
      assertThat(d.get("tok").sizes().vec().get()).containsExactly(16, 4);
    }
  }

  @Test
  void unrepresentableNullFillsForIntegerColumnsAreErrors() {
    for (double bad : new double[] {Double.NaN, 1e300, -1e300, 0.5, 1L << 31}) {
      for (Permutation<?> p : paths(Permutation.identity(nulls))) {
        for (Format<?> f : List.of(Format.TORCH_DICT, Format.TORCH)) {
          Permutation<?> filled = p.selectColumns("id", "n").withNullFill("n", bad).withFormat(f);
          assertThatThrownBy(() -> readAll(filled))
              .as("fill %s, format %s", bad, f)
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("column 'n'")
              .hasMessageContaining("Int")
              .hasMessageContaining(String.valueOf(bad));
        }
      }
    }
    // the same value for a float column is fine; an exact integer for the int column too
    readAll(
        Permutation.identity(nulls)
            .selectColumns("x", "n")
            .withNullFill("x", Double.NaN)
            .withNullFill("n", -2147483648.0)
            .withFormat(Format.TORCH_DICT));
    // a fill for every column reaches the int column too
    assertThatThrownBy(
            () ->
                readAll(
                    Permutation.identity(nulls)
                        .selectColumns("x", "n")
                        .withNullFill(Double.NaN)
                        .withFormat(Format.TORCH_DICT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 'n'");
    // stacked into float32 (TORCH_COL of a float and an int column), NaN is a value of the dtype
    readAll(
        Permutation.identity(nulls)
            .selectColumns("x", "n")
            .withNullFill(Double.NaN)
            .withFormat(Format.TORCH_COL));
  }

  @Test
  void unrepresentablePadAndFillValuesForIntegerListsAreErrors() {
    for (PadOptions bad :
        List.of(
            PadOptions.fixed(4).padValue(Double.NaN).fillNulls(0),
            PadOptions.fixed(4).padValue(1e300).fillNulls(0),
            PadOptions.batchMax().fillNulls(-1e300))) {
      Permutation<TensorDict> p =
          Permutation.identity(nulls)
              .selectColumns("id", "tok")
              .withFormat(Format.torchDict(Map.of("tok", bad)));
      assertThatThrownBy(() -> readAll(p))
          .as("%s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("column 'tok'")
          .hasMessageContaining("Int");
    }
    // jagged: a null fill for the items
    assertThatThrownBy(
            () ->
                readAll(
                    Permutation.identity(nulls)
                        .selectColumns("id", "tok")
                        .withNullFill("tok", Double.NaN)
                        .withFormat(Format.TORCH_DICT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 'tok'");
    readAll(
        Permutation.identity(nulls)
            .selectColumns("id", "tok")
            .withFormat(
                Format.torchDict(Map.of("tok", PadOptions.fixed(4).padValue(-1).fillNulls(7)))));
  }
}
