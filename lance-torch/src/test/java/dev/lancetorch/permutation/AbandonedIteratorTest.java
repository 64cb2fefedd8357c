package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.internal.memory.ScanMemory;
import dev.lancetorch.torch.BridgeStats;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 24 item 11: for-each loops left with {@code break} over an identity {@code TORCH_DICT}
 * permutation each left a Lance scan holding its whole read-ahead (the rest of the table) until a
 * collection that nothing triggered. Now each Lance scan covers at most the read-ahead budget of
 * rows, open scans are counted, and an abandoned iterator's scan is released by its Cleaner.
 */
class AbandonedIteratorTest extends TableFixture {
  static final int PER = 5000;
  static final int N = 4 * PER;
  static final int BATCH = 64;
  static final List<String> COLUMNS = List.of("id", "vec");

  AbandonedIteratorTest() {
    super(4, PER);
  }

  long rowBytes;
  long budget;

  @BeforeEach
  void sizes() throws InterruptedException {
    drain();
    rowBytes = ScanMemory.estimate(table.schema(), COLUMNS, 1); // 8 + 4 x 4
    budget = 8 * BATCH * rowBytes; // each Lance scan: 8 batches
  }

  static void drain() throws InterruptedException {
    IteratorLifetimeTest.gcUntil(() -> ScanMemory.liveScans() == 0);
    assertThat(ScanMemory.liveScans()).as("scans left open").isZero();
  }

  Permutation<TensorDict> dict() {
    return Permutation.identity(table)
        .selectColumns("id", "vec")
        .withFormat(Format.TORCH_DICT)
        .withBatchSize(BATCH)
        .withReadAhead(budget);
  }

  @Test
  void anAbandonedIteratorHoldsAtMostOneBoundedScan() throws InterruptedException {
    assertThat(rowBytes).isEqualTo(24);
    Permutation<TensorDict> p = dict();
    long before = ScanMemory.liveBytes();
    for (int i = 0; i < 40; i++) {
      for (TensorDict d : p) {
        d.close();
        break; // the iterator is dropped with its scan open
      }
    }
    long open = ScanMemory.liveScans();
    assertThat(open).as("abandoned scans not collected yet").isPositive();
    assertThat(ScanMemory.liveBytes() - before)
        .as("read-ahead held by %d abandoned scans", open)
        .isLessThanOrEqualTo(open * budget) // before: the rest of the table, 40 x 480 KB
        .isGreaterThan(0);
    drain(); // the Cleaner releases every abandoned iterator's scan
    assertThat(p.closer().openIterators()).isZero();
    assertThat(ScanMemory.liveBytes()).isEqualTo(before);
    assertThat(BridgeStats.snapshot().scansLive()).isZero();
  }

  @Test
  void boundedScansReadEveryRowInOrderInExactBatches() throws InterruptedException {
    long next = 0;
    long maxScans = 0;
    try (BatchIterator<TensorDict> it = dict().iter(BATCH, false)) {
      while (it.hasNext()) {
        try (TensorDict d = it.next()) {
          Tensor id = d.get("id");
          assertThat(id.size(0)).isEqualTo(Math.min(BATCH, N - next));
          for (long r = 0; r < id.size(0); r++) {
            try (Tensor v = id.select(0, r)) {
              assertThat(v.item_long()).isEqualTo(next + r);
            }
          }
          next += id.size(0);
          maxScans = Math.max(maxScans, ScanMemory.liveScans());
          assertThat(ScanMemory.liveBytes()).isLessThanOrEqualTo(budget);
        }
      }
    }
    assertThat(next).isEqualTo(N);
    assertThat(maxScans).as("one Lance scan open at a time").isEqualTo(1);
    drain();
  }
}
