package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 items 2, 4, 5 and 16: permutation and builder input that used to be accepted or crash.
 */
@Timeout(120)
class PermutationValidationTest extends TableFixture {
  PermutationValidationTest() {
    super(2, 10);
  }

  @Test
  void renamingTwoColumnsOntoOneNameIsAnError() {
    Permutation<ArrowBatch> p = Permutation.identity(table);
    assertThatThrownBy(() -> p.renameColumns(Map.of("id", "q", "x", "q")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'q'");
    Permutation<ArrowBatch> renamed = p.renameColumn("x", "q");
    assertThatThrownBy(() -> renamed.renameColumn("id", "q"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("q");
    // a swap is still fine: the names stay distinct
    assertThat(p.renameColumns(Map.of("id", "x", "x", "id")).columnNames())
        .containsExactly("x", "id", "label", "vec");
  }

  @Test
  void splitCalculatedRejectsNonIntegerResultsAndTooManySplits() {
    assertThatThrownBy(() -> Permutation.builder(table).splitCalculated("x", null).toPermutations())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an integer split index")
        .hasMessageContaining("FloatingPoint");
    assertThatThrownBy(
            () ->
                Permutation.builder(table)
                    .splitCalculated("CASE WHEN id = 3 THEN 100000 ELSE 0 END", null)
                    .toPermutations())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 rows")
        .hasMessageContaining(String.valueOf(SplitSizes.MAX_SPLITS - 1));
    assertThatThrownBy(
            () -> Permutation.builder(table).splitCalculated("id % 2; DROP TABLE base", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DROP TABLE base");
    assertThatThrownBy(() -> Permutation.builder(table).filter("id < 3; DELETE FROM base"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DELETE FROM base");
    assertThatThrownBy(() -> Permutation.identity(table).filter("1=1; DROP TABLE base"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DROP TABLE base");
    Permutations ok =
        Permutation.builder(table).splitCalculated("CAST(x AS INT) % 3", null).toPermutations();
    assertThat(ok.numSplits()).isEqualTo(3);
  }

  /**
   * What a path gives: its number of splits, or its error (LanceDB refuses some splits of empty
   * tables).
   */
  private static String outcome(java.util.function.Supplier<Permutations> path) {
    try {
      return path.get().numSplits() + " splits";
    } catch (IllegalArgumentException e) {
      return "error: " + e.getMessage();
    }
  }

  /** The outcome of every path: in memory, a table in memory, a persisted table. */
  private List<String> outcomes(PermutationBuilder b) {
    List<String> out = new ArrayList<>();
    out.add(outcome(b::toPermutations));
    out.add(
        outcome(
            () -> {
              try (Table t = b.execute()) {
                return Permutations.of(table, t);
              }
            }));
    String name = "perm" + Long.toHexString(System.nanoTime());
    out.add(
        outcome(
            () -> {
              try (Table t = b.persist(db, name)) {
                return Permutations.of(table, t);
              }
            }));
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"id < 0", "id >= 0"})
  void splitCountsAgreeBetweenExecuteAndToPermutations(String filter) {
    List<UnaryOperator<PermutationBuilder>> specs =
        List.of(
            b -> b,
            b -> b.splitRandom(SplitSizes.ratios(0.5, 0.3, 0.2), 1),
            b -> b.splitRandom(SplitSizes.ratios(0.5, 0.5), 1).shuffle(5),
            b -> b.splitSequential(SplitSizes.ratios(0.5, 0.5), List.of("a", "b")),
            b -> b.splitHash(List.of("id"), new long[] {1, 1, 1, 1}, 0, null),
            b -> b.splitCalculated("CASE WHEN id < 100 THEN 0 ELSE 5 END", null),
            b -> b.splitCalculated("CAST(id % 2 AS INT)", List.of("even", "odd", "none")));
    List<Integer> declared = List.of(1, 3, 2, 2, 4, 1, 3);
    for (int i = 0; i < specs.size(); i++) {
      List<String> got = outcomes(specs.get(i).apply(Permutation.builder(table).filter(filter)));
      assertThat(got)
          .as("spec %d, filter %s: every path alike", i, filter)
          .containsOnly(got.get(0));
      boolean emptyRandomOrSequential =
          filter.equals("id < 0") && i >= 1 && i <= 3; // LanceDB: rounds to 0 rows
      assertThat(got.get(0))
          .as("spec %d, filter %s", i, filter)
          .startsWith(emptyRandomOrSequential ? "error: " : declared.get(i) + " splits");
    }
  }

  @Test
  void splitSizesOutOfRangeAreClearErrors() {
    assertThatThrownBy(() -> SplitSizes.fixed(Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MAX_SPLITS");
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () -> Permutation.builder(table).splitRandom(SplitSizes.fixed(21), 1).toPermutations())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("21 splits but only 20 rows");
    assertThatThrownBy(
            () ->
                Permutation.builder(table)
                    .splitSequential(SplitSizes.fixed(SplitSizes.MAX_SPLITS))
                    .execute())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only 20 rows");
    assertThat(System.nanoTime() - t0).isLessThan(20_000_000_000L);
    Permutations p =
        Permutation.builder(table).splitSequential(SplitSizes.fixed(2)).toPermutations();
    assertThatThrownBy(() -> p.splitSize(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("split index -1");
    assertThatThrownBy(() -> p.splitSize(2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 splits");
  }

  @Test
  void aPermutationTableOfAnotherTableIsAClearError() {
    try (Table big = TestTables.create(db, "big", 3, 10);
        Table perm = Permutation.builder(big).shuffle(3).execute();
        Table small = TestTables.create(db, "small", 1, 5)) {
      assertThatThrownBy(() -> Permutations.of(small, perm))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'small'")
          .hasMessageContaining("row");
      assertThatThrownBy(() -> Permutation.fromTables(small, perm))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'small'");
      assertThat(Permutations.of(big, perm).splitSize(0)).isEqualTo(30);
    }
  }

  @Test
  void aNullRowIdOrSplitIdIsAClearError() {
    org.apache.arrow.vector.types.pojo.Schema schema =
        new org.apache.arrow.vector.types.pojo.Schema(
            List.of(
                org.apache.arrow.vector.types.pojo.Field.nullable(
                    "row_id", new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, false)),
                org.apache.arrow.vector.types.pojo.Field.nullable(
                    "split_id", new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, false))));
    for (String nulled : List.of("row_id", "split_id")) {
      try (org.apache.arrow.vector.VectorSchemaRoot root =
          org.apache.arrow.vector.VectorSchemaRoot.create(schema, db.allocator())) {
        root.allocateNew();
        for (int i = 0; i < 5; i++) {
          ((org.apache.arrow.vector.UInt8Vector) root.getVector("row_id")).setSafe(i, i);
          ((org.apache.arrow.vector.UInt8Vector) root.getVector("split_id")).setSafe(i, 0);
        }
        ((org.apache.arrow.vector.UInt8Vector) root.getVector(nulled)).setNull(3);
        root.setRowCount(5);
        try (Table perm = db.createTable("perm_null_" + nulled, root)) {
          assertThatThrownBy(() -> Permutations.of(table, perm))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("null row_id/split_id");
        }
      }
    }
  }
}
