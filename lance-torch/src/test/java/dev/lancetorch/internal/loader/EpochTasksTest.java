package dev.lancetorch.internal.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.internal.read.BatchRows;
import dev.lancetorch.loader.BatchSampler;
import dev.lancetorch.loader.RowOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An epoch's remaining tasks and the shared read's consumer order, as views: the batches skipped by
 * a resumed state, the round-robin positions, and the batch sizes known without making batches.
 */
class EpochTasksTest {
  @Test
  void remainingTasksSkipWhatWasYielded() {
    List<long[]> batches = new ArrayList<>();
    for (int b = 0; b < 10; b++) {
      batches.add(new long[] {b * 10L, b * 10L + 1});
    }
    EpochTasks t = new EpochTasks(batches, 4, 3, new long[] {5, 8});
    assertThat(t).hasSize(5);
    List<Long> idx = new ArrayList<>();
    for (int k = 0; k < t.size(); k++) {
      idx.add(t.batchIndex(k));
      assertThat(t.get(k).offsets()).isEqualTo(batches.get((int) t.batchIndex(k)));
      assertThat(t.get(k).position().epoch()).isEqualTo(4);
    }
    assertThat(idx).containsExactly(3L, 4L, 6L, 7L, 9L);
    assertThat(t.batchRows()).isNull(); // a plain list: sizes come from the batches
  }

  @Test
  void consumerOrderOfDealtTasksIsTheTaskOrder() {
    RowOrder order = RowOrder.shuffled(1_000, 3);
    List<long[]> batches = BatchSampler.fixedSize(64, false).batches(order); // 16, last of 40
    EpochTasks t = new EpochTasks(batches, 0, 2, new long[] {15});
    List<List<LoaderTask>> perWorker = LoaderEngine.dealt(t, 3);
    assertThat(perWorker).hasSize(3);
    assertThat(perWorker.get(0)).hasSize(5);
    assertThat(perWorker.get(2)).hasSize(4);
    ConsumerOrder c = ConsumerOrder.of(perWorker);
    for (int w = 0; w < 3; w++) {
      for (int j = 0; j < perWorker.get(w).size(); j++) {
        int k = c.index(w, j);
        assertThat(perWorker.get(w).get(j).position().batchIndex()).isEqualTo(t.batchIndex(k));
      }
    }
    List<long[]> offsets = c.offsets();
    assertThat(offsets).isInstanceOf(BatchRows.class);
    BatchRows rows = (BatchRows) offsets;
    assertThat(rows.totalRows()).isEqualTo(1_000 - 2 * 64 - 40); // batches 0, 1 and the last
    assertThat(rows.uniformRows()).isEqualTo(64);
    for (int k = 0; k < offsets.size(); k++) {
      assertThat(offsets.get(k)).hasSize(rows.rowsOf(k));
    }
    // one worker: the worker's list is the epoch's task list itself
    assertThat(LoaderEngine.dealt(t, 1).get(0)).isSameAs(t);
    // any other assignment is numbered once, round-robin over the workers that still have tasks
    List<List<LoaderTask>> uneven =
        List.of(List.of(t.get(0), t.get(1), t.get(2)), List.of(t.get(3)));
    ConsumerOrder n = ConsumerOrder.of(uneven);
    assertThat(n.index(0, 0)).isEqualTo(0);
    assertThat(n.index(1, 0)).isEqualTo(1);
    assertThat(n.index(0, 1)).isEqualTo(2);
    assertThat(n.index(0, 2)).isEqualTo(3);
    assertThat(n.offsets().get(1)).isEqualTo(t.get(3).offsets());
  }
}
