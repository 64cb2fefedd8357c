package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.Permutations;
import dev.lancetorch.permutation.TensorDict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 1: under {@code readConsistencyInterval(Duration.ZERO)} the table follows every
 * commit, but a permutation reads the version it was made on, on every path, even after another
 * writer deleted rows.
 */
class PinnedReadTest {
  static final int PER = 1000;
  static final int N = 3 * PER;
  @TempDir Path dir;

  @Test
  void permutationsReadTheirVersionAfterAnotherWriterDeletes() throws Exception {
    try (RootAllocator allocator = new RootAllocator();
        Connection db =
            LanceDb.connect(
                dir.toString(),
                ConnectOptions.builder()
                    .allocator(allocator)
                    .readConsistencyInterval(Duration.ZERO)
                    .build())) {
      Table t = TestData.table(db, "t", allocator, PER);
      for (int f = 1; f < 3; f++) {
        try (VectorSchemaRoot r = TestData.rows(allocator, (long) f * PER, PER)) {
          t.add(r);
        }
      }
      Permutation<ArrowBatch> identity =
          Permutation.identity(t).selectColumns("id").withBatchSize(64);
      Permutation<TensorDict> identityTensors = identity.withFormat(Format.TORCH_DICT);
      Table permTable = Permutation.builder(t).shuffle(5).execute();
      Permutation<ArrowBatch> shuffled =
          Permutations.of(t, permTable).split(0).selectColumns("id").withBatchSize(64);
      Permutation<ArrowBatch> cached = shuffled.withMemoryCache(1 << 20);
      Permutation<TensorDict> shuffledTensors = shuffled.withFormat(Format.TORCH_DICT);

      try (Connection other = LanceDb.connect(dir.toString());
          Table writer = other.openTable("t")) {
        writer.dataset().delete("id < 10"); // another writer: rows shift in storage order
      }
      assertThat(t.countRows()).as("the table itself follows the new version").isEqualTo(N - 10);

      List<Long> all = new ArrayList<>();
      for (long i = 0; i < N - N % 64; i++) {
        all.add(i);
      }
      assertThat(arrowIds(identity)).as("scan").isEqualTo(all);
      assertThat(tensorIds(identityTensors)).as("native stream").isEqualTo(all);
      List<Long> order = arrowIds(shuffled);
      assertThat(order)
          .as("takes")
          .hasSize(N - N % 64)
          .doesNotHaveDuplicates()
          .contains(0L, 5L, 9L);
      assertThat(arrowIds(cached)).as("memory cache").isEqualTo(order);
      assertThat(cached.memoryCacheBytes())
          .as("the cache was used (the pinned version has no deletions)")
          .isPositive();
      assertThat(tensorIds(shuffledTensors)).as("takes into tensors").isEqualTo(order);
      try (ArrowBatch b = identity.takeOffsets(0, 5, N - 1)) {
        assertThat(ids(b)).as("random access").containsExactly(0L, 5L, (long) N - 1);
      }
      cached.close(); // its memory cache is released now, not by a later GC
      permTable.close();
      t.close();
    }
  }

  static List<Long> ids(ArrowBatch b) {
    BaseIntVector v = (BaseIntVector) b.column("id");
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < b.numRows(); i++) {
      out.add(v.getValueAsLong(i));
    }
    return out;
  }

  static List<Long> arrowIds(Permutation<ArrowBatch> p) {
    List<Long> out = new ArrayList<>();
    for (ArrowBatch b : p) {
      try (b) {
        out.addAll(ids(b));
      }
    }
    return out;
  }

  static List<Long> tensorIds(Permutation<TensorDict> p) {
    List<Long> out = new ArrayList<>();
    for (TensorDict d : p) {
      try (d;
          Tensor id = d.get("id").contiguous()) {
        for (long i = 0; i < id.size(0); i++) {
          try (Tensor x = id.select(0, i)) {
            out.add(x.item_long());
          }
        }
      }
    }
    return out;
  }
}
