package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Table;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 24 item 15: bad {@code splitCalculated} / {@code splitHash} arguments fail at the builder
 * call with a clear {@link IllegalArgumentException} (no stack frames, source places or DataFusion
 * internal assertions in the message); data-dependent errors keep their own exception through
 * {@code execute()}.
 */
@Timeout(120)
class BuilderArgumentsTest extends TableFixture {
  BuilderArgumentsTest() {
    super(2, 10);
  }

  /** The call alone (no execute) must throw a clean IllegalArgumentException. */
  private static AbstractThrowableAssert<?, ? extends Throwable> refusedAtCall(
      ThrowingCallable call) {
    return assertThatThrownBy(call)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("\tat ")
        .hasMessageNotContaining("java/")
        .hasMessageNotContaining(".rs:")
        .hasMessageNotContaining("Assertion failed")
        .hasMessageContaining("table 'base'");
  }

  @Test
  void calculatedSplitsThatCannotBeEvaluatedAreRefusedAtTheCall() {
    refusedAtCall(() -> Permutation.builder(table).splitCalculated("nope + 1", null))
        .hasMessageContaining("'nope + 1'")
        .hasMessageContaining("No field named nope");
    refusedAtCall(() -> Permutation.builder(table).splitCalculated("id +* 2", null))
        .hasMessageContaining("'id +* 2'")
        .hasMessageContaining("cannot be evaluated");
  }

  @Test
  void calculatedSplitsThatAreNoIntegerAreRefusedAtTheCall() {
    refusedAtCall(() -> Permutation.builder(table).splitCalculated("'abc'", null))
        .hasMessageContaining("Utf8")
        .hasMessageContaining("not an integer split index");
    refusedAtCall(() -> Permutation.builder(table).splitCalculated("x", null))
        .hasMessageContaining("FloatingPoint");
    refusedAtCall(() -> Permutation.builder(table).splitCalculated("id > 3", List.of("a", "b")))
        .hasMessageContaining("Bool");
  }

  @Test
  void constantCalculatedSplitsAreCheckedAtTheCallAndRead() {
    refusedAtCall(() -> Permutation.builder(table).splitCalculated("-1", null))
        .hasMessageContaining("gives -1 for every row");
    refusedAtCall(() -> Permutation.builder(table).splitCalculated("2", List.of("a", "b")))
        .hasMessageContaining("0..1");
    refusedAtCall(() -> Permutation.builder(table).splitCalculated("CAST(NULL AS INT)", null))
        .hasMessageContaining("gives null");
    // a valid constant puts every row in that split, on both paths
    Permutations ps = Permutation.builder(table).splitCalculated("1", null).toPermutations();
    assertThat(ps.numSplits()).isEqualTo(2);
    assertThat(ps.splitSize(1)).isEqualTo(20);
    try (Table t =
        Permutation.builder(table)
            .splitCalculated("1", List.of("a", "b"))
            .filter("id < 15")
            .execute()) {
      assertThat(t.countRows()).isEqualTo(15);
      assertThat(t.countRows("split_id = 1")).isEqualTo(15);
    }
  }

  @Test
  void hashSplitsOfColumnsLanceDbCannotHashAreRefusedAtTheCall() {
    refusedAtCall(() -> Permutation.builder(table).splitHash(List.of("vec"), 1, 1))
        .hasMessageContaining("'vec'")
        .hasMessageContaining("FixedSizeList");
    refusedAtCall(() -> Permutation.builder(table).splitHash(List.of("nope"), 1, 1))
        .hasMessageContaining("'nope'");
  }

  @Test
  void dataDependentErrorsKeepTheirExceptionThroughExecute() {
    PermutationBuilder b =
        Permutation.builder(table).splitCalculated("CASE WHEN id = 3 THEN 100000 ELSE 0 END", null);
    assertThatThrownBy(b::execute)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("splitCalculated 'CASE WHEN id = 3 THEN 100000 ELSE 0 END'")
        .hasMessageContaining("1 rows gave a null or out-of-range split")
        .hasMessageNotContaining("\tat ")
        .hasMessageNotContaining("C Data interface");
  }
}
