package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 24 item 16 (b): a closed {@link Permutation} refuses every method, and {@code
 * iter(Integer.MAX_VALUE)} reads one batch of every row on every read path.
 */
@Timeout(120)
class ClosedPermutationTest extends TableFixture {
  ClosedPermutationTest() {
    super(2, 50);
  }

  private static final List<Consumer<Permutation<ArrowBatch>>> CALLS =
      List.of(
          Permutation::numRows,
          Permutation::numColumns,
          Permutation::columnNames,
          Permutation::schema,
          Permutation::shape,
          Permutation::batchSize,
          Permutation::format,
          Permutation::nullFill,
          Permutation::readAheadBytes,
          Permutation::memoryCacheBytes,
          Permutation::iterator,
          Permutation::reopen,
          p -> p.withBatchSize(3),
          p -> p.withSkip(1),
          p -> p.withTake(1),
          p -> p.withFormat(Format.TORCH_DICT),
          p -> p.withTransform(b -> b),
          p -> p.withMemoryCache(1 << 20),
          p -> p.withReadAhead(0),
          p -> p.withNullFill(0),
          p -> p.withNullFill("x", 0),
          p -> p.selectColumns("id"),
          p -> p.removeColumns("id"),
          p -> p.renameColumn("id", "i"),
          p -> p.filter("id < 3"),
          p -> p.iter(4, false),
          p -> p.takeOffsets(0),
          p -> p.get(0),
          p -> p.planReads(List.of(new long[] {0})),
          p -> p.planBatches(List.of(new long[] {0})),
          p -> p.streams(List.of(new long[] {0})),
          p -> p.withConnectionFactory(() -> null));

  private static void assertEveryCallRefused(Permutation<ArrowBatch> closed) {
    for (int i = 0; i < CALLS.size(); i++) {
      int call = i;
      assertThatThrownBy(() -> CALLS.get(call).accept(closed))
          .as("call %d", call)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
    closed.close(); // closing twice is fine
  }

  @Test
  void aClosedBorrowedPermutationRefusesEveryCall() {
    Permutation<ArrowBatch> p = Permutation.identity(table);
    Permutation<ArrowBatch> copy = p.withBatchSize(7);
    p.close();
    assertEveryCallRefused(p);
    assertThat(copy.numRows()).isEqualTo(100); // a copy is a handle of its own
    copy.close();
  }

  @Test
  void aClosedReopenedPermutationRefusesEveryCall() {
    Permutation<ArrowBatch> shuffled =
        Permutation.builder(table).shuffle(5).toPermutations().split(0);
    Permutation<ArrowBatch> owned = shuffled.reopen();
    owned.close();
    assertEveryCallRefused(owned);
  }

  @Test
  void iterWithTheLargestBatchSizeReadsEveryRowInOneBatch() {
    Permutation<ArrowBatch> shuffled =
        Permutation.builder(table).shuffle(5).toPermutations().split(0);
    List<Permutation<?>> paths =
        List.of(
            shuffled, // takes (a string column: no planner)
            shuffled.selectColumns("id", "x", "vec"), // the read planner
            shuffled.selectColumns("id", "x").withMemoryCache(1 << 20), // the memory cache
            shuffled.selectColumns("id", "x").withFormat(Format.TORCH_DICT),
            Permutation.identity(table), // scans
            Permutation.identity(table).selectColumns("id").withFormat(Format.TORCH_DICT));
    for (Permutation<?> p : paths) {
      List<Long> ids = new ArrayList<>();
      int batches = 0;
      try (BatchIterator<?> it = p.iter(Integer.MAX_VALUE, false)) {
        while (it.hasNext()) {
          Object b = it.next();
          batches++;
          if (b instanceof ArrowBatch a) {
            try (a) {
              for (int i = 0; i < a.root().getRowCount(); i++) {
                ids.add((Long) a.root().getVector("id").getObject(i));
              }
            }
          } else {
            try (TensorDict d = (TensorDict) b) {
              long[] v = new long[(int) d.get("id").numel()];
              d.get("id").data_ptr_long().get(v);
              for (long x : v) {
                ids.add(x);
              }
            }
          }
        }
      }
      assertThat(batches).isEqualTo(1);
      assertThat(ids).hasSize(100).doesNotHaveDuplicates();
      p.close();
    }
    assertThat(Permutation.identity(table).iter(Integer.MAX_VALUE, true).hasNext()).isFalse();
  }
}
