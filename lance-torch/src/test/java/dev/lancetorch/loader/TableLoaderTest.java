package dev.lancetorch.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.TensorDict;
import dev.lancetorch.torch.BridgeStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 item 22: {@code DataLoader.builder(Table)} / {@code StreamingDataset.builder(Table)}
 * with LanceDB's defaults; item 16 (SequencePacker on a column that is not a list).
 */
@Timeout(120)
class TableLoaderTest {
  static final int N = 100;
  @TempDir Path dir;
  RootAllocator allocator;
  Connection db;
  Table table;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long i = 0; i < N; i++) {
      rows.add(Map.of("id", i, "tok", List.of(i, i + 1, i + 2)));
    }
    table = db.createTable("docs", rows);
  }

  @AfterEach
  void tearDown() {
    table.close();
    db.close();
    allocator.close(); // throws on leaked Arrow buffers
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
  }

  static List<Long> ids(ArrowBatch b) {
    List<Long> out = new ArrayList<>();
    try (b) {
      BigIntVector id = (BigIntVector) b.column("id");
      for (int i = 0; i < b.numRows(); i++) {
        out.add(id.get(i));
      }
    }
    return out;
  }

  @Test
  void dataLoaderOverATableHasLanceDbsDefaults() {
    // torch.utils.data.DataLoader(table): Arrow batches, batch size 1, table order, 0 workers
    try (DataLoader<ArrowBatch> loader = DataLoader.builder(table).build()) {
      List<Long> seen = new ArrayList<>();
      int batches = 0;
      for (ArrowBatch b : loader) {
        assertThat(b.numRows()).isEqualTo(1);
        seen.addAll(ids(b));
        batches++;
      }
      assertThat(batches).isEqualTo(N);
      assertThat(seen).isEqualTo(LoaderTestSupport.rows(N));
    }
  }

  @Test
  void dataLoaderOverATableShufflesWithWorkersAndBuildsTwice() {
    DataLoader.Builder<ArrowBatch, ArrowBatch> b =
        DataLoader.builder(table).batchSize(16).shuffle(true).seed(3).numWorkers(2);
    List<Long> first = new ArrayList<>();
    try (DataLoader<ArrowBatch> one = b.build();
        DataLoader<ArrowBatch> two = b.build()) { // each build owns its own permutation
      for (ArrowBatch batch : one) {
        first.addAll(ids(batch));
      }
      List<Long> second = new ArrayList<>();
      for (ArrowBatch batch : two) {
        second.addAll(ids(batch));
      }
      assertThat(first).isNotEqualTo(LoaderTestSupport.rows(N)).isEqualTo(second);
      assertThat(first).containsExactlyInAnyOrderElementsOf(LoaderTestSupport.rows(N));
    }
  }

  @Test
  void tensorBatchesFromATable() {
    try (DataLoader<TensorDict> loader =
        DataLoader.builder(table, Format.TORCH_DICT).batchSize(32).build()) {
      long rows = 0;
      for (TensorDict d : loader) {
        try (d) {
          rows += d.get("id").size(0);
          assertThat(d.offsets("tok").size(0)).isEqualTo(d.get("id").size(0) + 1);
        }
      }
      assertThat(rows).isEqualTo(N);
    }
  }

  @Test
  void streamingDatasetOverATableYieldsRowMapsShuffled() {
    // LanceDB's StreamingDataset(table): shuffled, Python dicts (here Format.ROWS), 64-row reads
    List<Long> seen = new ArrayList<>();
    try (StreamingDataset<List<Map<String, Object>>> ds =
        StreamingDataset.builder(table).columns("id").build()) {
      for (List<Map<String, Object>> batch : ds) {
        assertThat(batch.size()).isLessThanOrEqualTo(64);
        for (Map<String, Object> row : batch) {
          assertThat(row).containsOnlyKeys("id");
          seen.add((Long) row.get("id"));
        }
      }
    }
    assertThat(seen).isNotEqualTo(LoaderTestSupport.rows(N));
    assertThat(seen).containsExactlyInAnyOrderElementsOf(LoaderTestSupport.rows(N));
  }

  @Test
  void sequencePackerOnAColumnThatIsNotAListNamesItAndItsType() {
    try (DataLoader<TensorDict> loader =
        DataLoader.builder(table, Format.TORCH_DICT).batchSize(10).build()) {
      SequencePacker p = SequencePacker.builder(loader, "id").sequenceLength(4).build();
      assertThatThrownBy(() -> p.iterator().hasNext())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("SequencePacker: column 'id' is a Long tensor of shape [10]")
          .hasMessageContaining("not a list column of token ids");
      SequencePacker missing = SequencePacker.builder(loader, "nope").sequenceLength(4).build();
      assertThatThrownBy(() -> missing.iterator().hasNext())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("column 'nope' is not in the batch");
    }
  }
}
