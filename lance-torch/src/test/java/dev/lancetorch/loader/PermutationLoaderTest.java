package dev.lancetorch.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.TensorDict;
import dev.lancetorch.torch.BridgeStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DataLoader over real permutations of a Lance table: workers reopen their own table handles.
 */
@Timeout(120)
class PermutationLoaderTest {
  @TempDir Path dir;
  RootAllocator allocator;
  Connection db;
  Table table;
  static final int N = 1000;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long i = 0; i < N; i++) {
      rows.add(Map.of("id", i, "v", i * 0.5));
    }
    table = db.createTable("t", rows.subList(0, N / 2));
    table.add(rows.subList(N / 2, N));
  }

  @AfterEach
  void tearDown() {
    table.close();
    db.close();
    allocator.close();
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("lancetorch-loader"));
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
  void everyRowOncePerEpochWithWorkersAndRanks() {
    try (Table perm = Permutation.builder(table).shuffle(3).execute()) {
      Permutation<ArrowBatch> p = Permutation.fromTables(table, perm, 0);
      for (Permutation<ArrowBatch> src : List.of(p, p.withMemoryCache(1 << 20))) {
        try (src) {
          Set<Long> all = new HashSet<>();
          List<Long> singleWorker = new ArrayList<>();
          for (int rank = 0; rank < 2; rank++) {
            try (DataLoader<ArrowBatch> l =
                DataLoader.builder(src)
                    .batchSize(64)
                    .shuffle(true)
                    .seed(9)
                    .numWorkers(2)
                    .distributed(rank, 2)
                    .build()) {
              for (ArrowBatch b : l) {
                for (Long id : ids(b)) {
                  assertThat(all.add(id)).as("row %d twice", id).isTrue();
                }
              }
            }
          }
          assertThat(all).hasSize(N);
          try (DataLoader<ArrowBatch> one =
                  DataLoader.builder(src).batchSize(64).shuffle(true).seed(9).build();
              DataLoader<ArrowBatch> two =
                  DataLoader.builder(src)
                      .batchSize(64)
                      .shuffle(true)
                      .seed(9)
                      .numWorkers(2)
                      .build()) {
            one.forEach(b -> singleWorker.addAll(ids(b)));
            List<Long> workers = new ArrayList<>();
            two.forEach(b -> workers.addAll(ids(b)));
            assertThat(workers).isEqualTo(singleWorker).hasSize(N);
          }
        }
      }
    }
  }

  @Test
  void tensorBatchesAndResumeEqualAnUninterruptedRun() {
    Permutation<TensorDict> p =
        Permutation.identity(table).selectColumns("id").withFormat(Format.TORCH_DICT);
    List<Long> full = new ArrayList<>();
    try (DataLoader<TensorDict> l =
        DataLoader.builder(p).batchSize(100).shuffle(true).seed(4).numWorkers(2).build()) {
      for (TensorDict d : l) {
        try (d) {
          full.add(d.get("id").sum().item_long());
        }
      }
    }
    LoaderState state;
    List<Long> resumed = new ArrayList<>();
    try (DataLoader<TensorDict> l =
        DataLoader.builder(p).batchSize(100).shuffle(true).seed(4).numWorkers(2).build()) {
      var it = l.iterator();
      for (int k = 0; k < 4; k++) {
        try (TensorDict d = it.next()) {
          resumed.add(d.get("id").sum().item_long());
        }
      }
      state = l.state(); // closing now abandons batches in flight: they must be released
    }
    try (DataLoader<TensorDict> l =
        DataLoader.builder(p)
            .batchSize(100)
            .shuffle(true)
            .seed(4)
            .numWorkers(2)
            .resumeFrom(LoaderState.fromJson(state.toJson()))
            .build()) {
      for (TensorDict d : l) {
        try (d) {
          resumed.add(d.get("id").sum().item_long());
        }
      }
    }
    assertThat(resumed).isEqualTo(full).hasSize(N / 100);
    assertThat(full.stream().mapToLong(Long::longValue).sum()).isEqualTo((long) N * (N - 1) / 2);
  }

  @Test
  void rankAndWorldSizeSettersShardLikeDistributed() {
    Permutation<ArrowBatch> p = Permutation.identity(table);
    List<Long> a = new ArrayList<>();
    List<Long> b = new ArrayList<>();
    try (DataLoader<ArrowBatch> l =
        DataLoader.builder(p).batchSize(50).shuffle(true).seed(2).rank(1).worldSize(2).build()) {
      l.forEach(x -> a.addAll(ids(x)));
    }
    try (DataLoader<ArrowBatch> l =
        DataLoader.builder(p).batchSize(50).shuffle(true).seed(2).distributed(1, 2).build()) {
      l.forEach(x -> b.addAll(ids(x)));
    }
    assertThat(a).isEqualTo(b).hasSize(N / 2);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> DataLoader.builder(p).rank(2).worldSize(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rank");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> StreamingDataset.builder(p).rank(3).worldSize(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rank");
  }

  @Test
  void streamingDatasetColumnsAndFilterNarrowThePermutation() {
    Permutation<ArrowBatch> p = Permutation.identity(table);
    List<Long> seen = new ArrayList<>();
    try (StreamingDataset<ArrowBatch> ds =
        StreamingDataset.builder(p)
            .numSplits(2)
            .numWorkers(2)
            .readBatchSize(32)
            .shuffle(true)
            .shuffleSeed(3)
            .columns("id")
            .filter("id >= 900")
            .build()) {
      for (ArrowBatch b : ds) {
        assertThat(b.columnNames()).containsExactly("id");
        seen.addAll(ids(b));
      }
    }
    assertThat(seen).hasSize(100).doesNotHaveDuplicates().allMatch(id -> id >= 900);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                StreamingDataset.builder(
                        new BatchSource<Long>() {
                          @Override
                          public long numRows() {
                            return 1;
                          }

                          @Override
                          public Long takeOffsets(long[] offsets) {
                            return 0L;
                          }

                          @Override
                          public BatchSource<Long> reopen() {
                            return this;
                          }

                          @Override
                          public void close() {}
                        })
                    .filter("x > 1")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Permutation");
  }

  @Test
  void anAppendAfterThePermutationIsNotRead() {
    Permutation<ArrowBatch> p = Permutation.identity(table);
    try (VectorSchemaRoot extra = VectorSchemaRoot.create(table.schema(), allocator)) {
      extra.allocateNew();
      ((BigIntVector) extra.getVector("id")).setSafe(0, 12345);
      ((org.apache.arrow.vector.Float8Vector) extra.getVector("v")).setSafe(0, 1.0);
      extra.setRowCount(1);
      table.add(extra);
    }
    List<Long> seen = new ArrayList<>();
    try (DataLoader<ArrowBatch> l = DataLoader.builder(p).batchSize(128).numWorkers(2).build()) {
      l.forEach(b -> seen.addAll(ids(b)));
    }
    assertThat(seen).hasSize(N).doesNotContain(12345L);
  }
}
