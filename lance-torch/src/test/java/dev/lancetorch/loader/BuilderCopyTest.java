package dev.lancetorch.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 12 item 19: builder settings survive {@code transform(...)} / {@code collate(...)}. */
@Timeout(60)
class BuilderCopyTest {
  /**
   * Rows 0..n-1 of an {@link InMemorySource}; records the selections asked of it, keeps rows >= 50
   * when filtered.
   */
  static final class Selectable implements SelectableSource<InMemorySource.TestBatch> {
    final List<String> calls;
    final InMemorySource rows;
    final long first;

    Selectable(List<String> calls, long first) {
      this.calls = calls;
      this.rows = new InMemorySource(100);
      this.first = first;
    }

    @Override
    public SelectableSource<InMemorySource.TestBatch> selectColumns(String... columns) {
      calls.add("columns " + List.of(columns));
      return this;
    }

    @Override
    public SelectableSource<InMemorySource.TestBatch> filter(String sqlFilter) {
      calls.add("filter " + sqlFilter);
      return new Selectable(calls, 50);
    }

    @Override
    public long numRows() {
      return 100 - first;
    }

    @Override
    public InMemorySource.TestBatch takeOffsets(long[] offsets) {
      long[] shifted = offsets.clone();
      for (int i = 0; i < shifted.length; i++) {
        shifted[i] += first;
      }
      return rows.takeOffsets(shifted);
    }

    @Override
    public BatchSource<InMemorySource.TestBatch> reopen() {
      return this;
    }

    @Override
    public void close() {}
  }

  static long[] failOnRow60(InMemorySource.TestBatch b) {
    try (b) {
      for (long id : b.ids) {
        if (id == 60) {
          throw new IllegalArgumentException("bad row 60");
        }
      }
      return b.ids.clone();
    }
  }

  @Test
  void streamingTransformKeepsColumnsFilterAndErrorPolicy() {
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    List<Long> seen = new ArrayList<>();
    try (StreamingDataset<long[]> ds =
        StreamingDataset.builder(new Selectable(calls, 0))
            .columns("id")
            .filter("id >= 50")
            .onTransformError(OnTransformError.SKIP)
            .readBatchSize(10)
            .transform(BuilderCopyTest::failOnRow60)
            .build()) {
      for (long[] ids : ds) {
        for (long id : ids) {
          seen.add(id);
        }
      }
      assertThat(ds.metrics().rowsSkipped()).isEqualTo(1); // only the failing row, as LanceDB
    }
    assertThat(calls).containsExactly("filter id >= 50", "columns [id]");
    assertThat(seen).hasSize(49).allMatch(id -> id >= 50).doesNotContain(60L);
  }

  @Test
  void aCustomErrorHandlerSetBeforeTransformIsRefused() {
    assertThatThrownBy(
            () ->
                StreamingDataset.builder(new InMemorySource(10))
                    .onTransformError((e, pos) -> null)
                    .transform(b -> b))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after transform");
  }

  @Test
  void dataLoaderCollateKeepsEverySetting() {
    InMemorySource src = new InMemorySource(100);
    try (DataLoader<Integer> l =
        DataLoader.builder(src)
            .batchSize(7)
            .dropLast(true)
            .distributed(1, 2)
            .seed(3)
            .collate(
                b -> {
                  try (b) {
                    return b.ids.length;
                  }
                })
            .build()) {
      List<Integer> sizes = new ArrayList<>();
      l.forEach(sizes::add);
      assertThat(sizes)
          .hasSize(7)
          .containsOnly(7); // rank 1 of 2: 50 rows, batches of 7, last one dropped
    }
  }

  @Test
  void dataLoaderCollateKeepsTheErrorPolicyAndRefusesAnEarlierCustomHandler() {
    List<Long> seen = new ArrayList<>();
    InMemorySource src = new InMemorySource(100);
    try (DataLoader<long[]> l =
        DataLoader.builder(src)
            .onTransformError(OnTransformError.SKIP)
            .batchSize(10)
            .numWorkers(2)
            .collate(BuilderCopyTest::failOnRow60)
            .build()) {
      for (long[] ids : l) {
        for (long id : ids) {
          seen.add(id);
        }
      }
      assertThat(l.metrics().rowsSkipped()).isEqualTo(1); // only the failing row, as LanceDB
    }
    assertThat(seen).hasSize(99).doesNotContain(60L).contains(59L, 61L);
    assertThatThrownBy(
            () ->
                DataLoader.builder(new InMemorySource(10))
                    .onTransformError((e, pos) -> null)
                    .collate(b -> b))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after collate");
  }
}
