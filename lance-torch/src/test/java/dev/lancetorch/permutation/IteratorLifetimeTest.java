package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Table;
import dev.lancetorch.internal.memory.TensorMemory;
import dev.lancetorch.torch.BridgeStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lifetimes of iterators and of the tensors they hand out (issue 12 items 9, 10, 11): a for-each
 * left with {@code break}, a read that fails half-way, closing a reopened handle with an iterator
 * open, and tensors kept after the connection is closed. The fixture closes the connection's
 * allocator after each test, which throws on any leaked Arrow buffer.
 */
class IteratorLifetimeTest extends TableFixture {
  static final int PER = 300;
  static final int N = 3 * PER;
  Table perm;
  long liveBatchesBefore;
  long tensorBytesBefore;

  IteratorLifetimeTest() {
    super(3, PER);
  }

  @BeforeEach
  void createPermutationTable() {
    long[] rowIds =
        LongStream.range(0, N)
            .map(i -> (i * 7) % N)
            .map(r -> TestTables.address((int) (r / PER), r % PER))
            .toArray();
    perm = TestTables.permutationTable(db, "perm", rowIds, new long[N], null);
    liveBatchesBefore = BridgeStats.snapshot().liveBatches();
    tensorBytesBefore = TensorMemory.allocatedBytes();
  }

  @AfterEach
  void closePermutationTable() {
    perm.close();
  }

  Permutation<TensorDict> identityDict() {
    return Permutation.identity(table)
        .selectColumns("id", "vec")
        .withFormat(Format.TORCH_DICT)
        .withBatchSize(16);
  }

  Permutation<TensorDict> shuffledDict() {
    return Permutation.fromTables(table, perm, 0)
        .selectColumns("id", "vec")
        .withFormat(Format.TORCH_DICT)
        .withBatchSize(16);
  }

  /** Runs GCs until {@code done} (the Cleaner runs on its own thread after a collection). */
  static void gcUntil(BooleanSupplier done) throws InterruptedException {
    for (int i = 0; i < 200 && !done.getAsBoolean(); i++) {
      System.gc();
      Thread.sleep(10);
    }
  }

  @Test
  void forEachWithBreakReleasesTheScanOnceUnreachable() throws Exception {
    for (Permutation<?> p :
        List.of(
            identityDict(),
            Permutation.identity(table).withBatchSize(16),
            identityDict().withFormat(Format.TORCH_COL))) {
      for (int i = 0; i < 50; i++) {
        for (Object batch : p) {
          ((AutoCloseable) batch).close();
          break; // the natural idiom: the iterator is dropped with its scan open
        }
      }
      gcUntil(
          () ->
              p.closer().openIterators() == 0
                  && BridgeStats.snapshot().liveBatches() == liveBatchesBefore);
      assertThat(p.closer().openIterators()).as("iterators still holding a scan").isZero();
      assertThat(BridgeStats.snapshot().liveBatches()).isEqualTo(liveBatchesBefore);
    }
    // the fixture then closes the connection's allocator: the ARROW scans' buffers must all be back
  }

  @Test
  void anIteratorReleasesItsScanWithItsLastBatchAndOnClose() throws Exception {
    Permutation<TensorDict> p = identityDict().withTake(64);
    BatchIterator<TensorDict> it = p.iterator();
    int batches = 0;
    while (it.hasNext()) {
      it.next().close();
      batches++;
      if (batches == 4) {
        assertThat(p.closer().openIterators()).as("released with the last batch").isZero();
      }
    }
    assertThat(batches).isEqualTo(4);
    try (BatchIterator<TensorDict> early = p.iterator()) {
      early.next().close();
    }
    assertThat(p.closer().openIterators()).isZero();
    assertThat(BridgeStats.snapshot().liveBatches()).isEqualTo(liveBatchesBefore);
  }

  @Test
  void aReadThatFailsHalfWayReleasesEverything() {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("id", (long) i);
      row.put(
          "v", i == 150 ? null : (double) i); // a null in batch 9: tensor formats reject it there
      rows.add(row);
    }
    try (Table nulls = db.createTable("nulls", rows, dev.lancetorch.CreateMode.CREATE)) {
      Permutation<TensorDict> p =
          Permutation.identity(nulls).withFormat(Format.TORCH_DICT).withBatchSize(16);
      for (Permutation<TensorDict> q : List.of(p, p.filter("id >= 0"))) { // a scan, then takes
        BatchIterator<TensorDict> it = q.iterator();
        int read = 0;
        Throwable failure = null;
        try {
          while (it.hasNext()) {
            it.next().close();
            read++;
          }
        } catch (IllegalArgumentException e) {
          failure = e;
        }
        assertThat(failure)
            .as("rejected at the batch with the null")
            .isNotNull()
            .hasMessageContaining("v");
        assertThat(read).isEqualTo(9);
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class);
        assertThat(q.closer().openIterators()).isZero();
        assertThat(BridgeStats.snapshot().liveBatches()).isEqualTo(liveBatchesBefore);
        assertThat(TensorMemory.allocatedBytes()).isEqualTo(tensorBytesBefore);
      }
    }
  }

  @Test
  void closingAReopenedPermutationClosesItsOpenIteratorsFirst() {
    for (Permutation<?> base :
        List.of(
            identityDict(),
            shuffledDict(),
            Permutation.identity(table).withBatchSize(16),
            Permutation.fromTables(table, perm, 0).withBatchSize(16))) {
      Permutation<?> p = base.reopen();
      BatchIterator<?> it = p.iterator();
      Object kept = it.next();
      try (AutoCloseable second = (AutoCloseable) it.next()) {
        assertThat(second).isNotNull();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      if (kept instanceof ArrowBatch a) {
        a.close(); // ARROW batches live in the handle's connection allocator: close them before
        // the handle
      }
      p.close(); // no "Memory was leaked": the open scan is released before the handle's connection
      assertThat(it.hasNext()).isFalse();
      assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class);
      it.close();
      p.close();
      if (kept instanceof TensorDict d) {
        assertThat(PermutationTorchTest.value(d.get("id"), 15))
            .isNotNegative(); // tensor batches stay valid after their handle closes
        d.close();
      }
    }
  }

  @Test
  void closingAHandleOverABorrowedTableClosesTheIteratorsItMadeNotThoseOfItsCopies() {
    for (Permutation<TensorDict> p : List.of(shuffledDict(), identityDict())) {
      Permutation<TensorDict> copy = p.withBatchSize(32); // shares the borrowed table
      for (TensorDict d : p) {
        d.close();
        break; // dropped with its reads open: before, they ran on until a garbage collection
      }
      BatchIterator<TensorDict> open = p.iterator();
      open.next().close();
      BatchIterator<TensorDict> ofCopy = copy.iterator();
      ofCopy.next().close();
      // the dropped one too, unless a garbage collection has released it already
      assertThat(p.closer().openIterators()).isBetween(2, 3);
      p.close();
      assertThat(p.closer().openIterators()).as("the copy's iterator only").isEqualTo(1);
      assertThat(open.hasNext()).isFalse();
      assertThatThrownBy(open::next).isInstanceOf(IllegalStateException.class);
      open.close();
      int rest = 0;
      while (ofCopy.hasNext()) {
        ofCopy.next().close();
        rest++;
      }
      assertThat(rest).as("the copy reads on to its end").isEqualTo(N / 32 - 1);
      assertThat(p.closer().openIterators()).isZero();
      assertThat(BridgeStats.snapshot().liveBatches()).isEqualTo(liveBatchesBefore);
      assertThat(TensorMemory.allocatedBytes()).isEqualTo(tensorBytesBefore);
      p.close();
    }
  }

  @Test
  void aKeptTensorOutlivesTheConnectionWithoutALeakReport() {
    List<Tensor> kept = new ArrayList<>();
    List<Long> firstIds = new ArrayList<>();
    for (Permutation<TensorDict> p : List.of(shuffledDict(), identityDict())) {
      try (BatchIterator<TensorDict> it = p.iterator();
          TensorDict d = it.next()) {
        kept.add(
            new Tensor(
                d.get("vec"))); // as the TensorDict docs allow: the caller now owns this tensor
        firstIds.add((long) PermutationTorchTest.value(d.get("id"), 0));
      }
    }
    perm.close();
    table.close();
    db.close();
    allocator
        .close(); // throws "Memory was leaked" if the kept tensors' buffers were the connection's
    assertThat(firstIds).containsExactly(0L, 0L);
    assertThat(kept.get(0).size(0)).isEqualTo(16);
    for (int row = 0; row < 16; row++) {
      long id = (row * 7L) % N;
      assertThat(PermutationTorchTest.value(kept.get(0), row, 1)).isEqualTo(TestTables.vec(id, 1));
      assertThat(PermutationTorchTest.value(kept.get(1), row, 1)).isEqualTo(TestTables.vec(row, 1));
    }
    // The shuffled tensor lives in a batch of the read planner (native memory), the identity one in
    // a scan batch.
    assertThat(BridgeStats.snapshot().liveBatches())
        .as("held by the kept tensors")
        .isEqualTo(liveBatchesBefore + 2);
    kept.forEach(Tensor::close);
    assertThat(TensorMemory.allocatedBytes())
        .as("freed with the last tensor")
        .isEqualTo(tensorBytesBefore);
    assertThat(BridgeStats.snapshot().liveBatches()).isEqualTo(liveBatchesBefore);
  }
}
