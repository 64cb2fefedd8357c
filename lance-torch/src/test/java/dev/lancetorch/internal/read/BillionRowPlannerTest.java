package dev.lancetorch.internal.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.NativeScan;
import dev.lancetorch.loader.BatchSampler;
import dev.lancetorch.loader.RowOrder;
import dev.lancetorch.loader.Sampler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The read planner over an epoch of 3·10^9 logical rows (issue 22 item 7): a synthetic table of
 * 3,000 fragments of 10^6 rows whose takes compute each row's value from its address, a shuffled
 * epoch planned by the loader's own sampler and batch sampler, and the planner's windows made from
 * it one at a time — the epoch's offsets and addresses (24 GB each) are never held. Every value of
 * the windows read is checked, near the start of the epoch and near its end (positions past 2^31).
 */
@Timeout(120)
class BillionRowPlannerTest {
  static final int FRAGMENTS = 3000;
  static final long PER_FRAGMENT = 1_000_000;
  static final long ROWS = FRAGMENTS * PER_FRAGMENT;
  static final ReadCosts TAKE = new ReadCosts(0, 0, 1e9, 1e9);

  private final BufferAllocator allocator = new RootAllocator();
  private final Synthetic table = new Synthetic(allocator);

  @AfterEach
  void allocatorBackToZero() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  /** Storage-order offset → base row address (what an identity permutation's selection does). */
  static final LongUnaryOperator ADDRESS = o -> ((o / PER_FRAGMENT) << 32) | (o % PER_FRAGMENT);

  /** A row's value in the synthetic table. */
  static long value(long address) {
    return address * 31 + 7;
  }

  @Test
  void epochAddressesAreMadeWindowByWindowPast2To31() {
    RowOrder order = Sampler.random().order(ROWS, 3, 0);
    List<long[]> batches = BatchSampler.fixedSize(4096, false).batches(order);
    EpochAddresses plan = EpochAddresses.of(batches, ADDRESS);
    assertThat(plan.rows()).isEqualTo(ROWS);
    assertThat(plan.batches()).isEqualTo(batches.size());
    assertThat(plan.batchRows(plan.batches() - 1)).isEqualTo((int) (ROWS % 4096));
    long from = 600_000L * 4096; // 2,457,600,000
    long[] dst = new long[3 * 4096];
    plan.copy(from, dst, dst.length);
    for (int i = 0; i < dst.length; i += 97) {
      assertThat(dst[i]).isEqualTo(ADDRESS.applyAsLong(order.get(from + i)));
    }
    long[] tail = new long[(int) (ROWS % 4096)];
    plan.copy(ROWS - tail.length, tail, tail.length);
    assertThat(tail[tail.length - 1]).isEqualTo(ADDRESS.applyAsLong(order.get(ROWS - 1)));
    assertThatThrownBy(() -> plan.copy(ROWS - 1, new long[2], 2))
        .isInstanceOf(IndexOutOfBoundsException.class);
    // batches of their own sizes (no BatchRows): the first row of each is kept, not the rows
    List<long[]> uneven = List.of(new long[] {5, 6, 7}, new long[] {ROWS - 1}, new long[] {0, 1});
    EpochAddresses u = EpochAddresses.of(uneven, ADDRESS);
    long[] two = new long[3];
    u.copy(3, two, 3);
    assertThat(two)
        .containsExactly(
            ADDRESS.applyAsLong(ROWS - 1), ADDRESS.applyAsLong(0), ADDRESS.applyAsLong(1));
  }

  @Test
  void plannerReadsTheStartAndTheEndOfAThreeBillionRowEpoch() {
    RowOrder order = Sampler.random().order(ROWS, 11, 2);
    List<long[]> batches = BatchSampler.fixedSize(4096, false).batches(order);
    ReadColumns cols = ReadColumns.of(table.schema(), List.of("v", RowReader.ROW_ID));
    // the first windows of the whole epoch (a window of ~43k rows: 1 MiB budget, 16 B a row)
    WindowReader.Stats stats = new WindowReader.Stats();
    try (WindowReader r =
        new WindowReader(
            table, cols, EpochAddresses.of(batches, ADDRESS), 1 << 20, null, stats, TAKE)) {
      for (int b = 0; b < 25; b++) {
        checkBatch(r.next(), cols, order, (long) b * 4096, 4096);
      }
    } // closed with windows still read ahead: their batches are freed
    assertThat(stats.takes).isGreaterThan(0);
    // the epoch's last 12 batches (rows past 2^31 of the order, fragments far past 2^31 in address)
    int first = batches.size() - 12;
    try (WindowReader r =
        new WindowReader(
            table,
            cols,
            EpochAddresses.of(batches.subList(first, batches.size()), ADDRESS),
            1 << 20,
            null,
            new WindowReader.Stats(),
            TAKE)) {
      for (int b = first; b < batches.size(); b++) {
        int n = batches.get(b).length;
        checkBatch(r.next(), cols, order, (long) b * 4096, n);
      }
      assertThat(r.next()).isNull();
    }
    assertThat(table.rowsTaken.get()).isLessThan(1_000_000); // windows, not the epoch
  }

  @Test
  void identitySelectionComputesAddressesFromFragmentSizes() {
    // the loader's shuffled epoch over an identity permutation of the 3e9-row table: no scan of
    // row addresses (24 GB), each computed from the fragments' sizes
    RowOrder order = Sampler.random().order(ROWS, 5, 1);
    List<long[]> batches = BatchSampler.fixedSize(1000, false).batches(order);
    EpochAddresses plan = RowSelection.identity(ROWS).planned(batches, table);
    long[] got = new long[2000];
    long from = 2_900_000L * 1000;
    plan.copy(from, got, got.length);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).isEqualTo(ADDRESS.applyAsLong(order.get(from + i)));
    }
    // empty fragments and ids out of storage order
    Synthetic odd =
        new Synthetic(allocator) {
          @Override
          public List<FragmentSize> fragments() {
            return List.of(
                new FragmentSize(7, 3, 3, List.of()),
                new FragmentSize(2, 0, 0, List.of()),
                new FragmentSize(9, 0, 0, List.of()),
                new FragmentSize(4, 2, 2, List.of()),
                new FragmentSize(5, 0, 0, List.of()));
          }
        };
    List<long[]> all = List.of(new long[] {0, 1, 2, 3, 4}, new long[] {4, 0});
    long[] addr = new long[7];
    RowSelection.identity(5).planned(all, odd).copy(0, addr, 7);
    assertThat(addr)
        .containsExactly(
            7L << 32, 7L << 32 | 1, 7L << 32 | 2, 4L << 32, 4L << 32 | 1, 4L << 32 | 1, 7L << 32);
    long[] beyond = new long[1];
    assertThatThrownBy(
            () -> RowSelection.identity(6).planned(List.of(new long[] {5}), odd).copy(0, beyond, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(RowSelection.identity(5).planned(List.of(new long[0]), odd)).isNull();
  }

  @Test
  void aRunOfTheSelectionIsCopiedWindowByWindow() {
    // Permutation.iter's planner over rows [i, j) of a selection: past 2^31 for an identity run
    long i = 2_500_000_000L;
    EpochAddresses run = RowSelection.identity(ROWS).planned(i, i + 10_500, 1000, table);
    assertThat(run.rows()).isEqualTo(10_500);
    assertThat(run.batches()).isEqualTo(11);
    assertThat(run.batchRows(10)).isEqualTo(500);
    long[] got = new long[1500];
    run.copy(9000, got, 1500);
    for (int k = 0; k < got.length; k++) {
      assertThat(got[k]).isEqualTo(ADDRESS.applyAsLong(i + 9000 + k));
    }
    // an explicit selection (a window of it) is read from its own array
    long[] explicit = {7L << 32, 3, 4L << 32 | 9, 1, 2};
    EpochAddresses w = RowSelection.addresses(explicit).window(1, 4).planned(1, 4, 2, table);
    long[] three = new long[3];
    w.copy(0, three, 3);
    assertThat(three).containsExactly(4L << 32 | 9, 1, 2);
    assertThatThrownBy(() -> RowSelection.identity(5).planned(2, 6, 2, table))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  /** Batch {@code b} holds the rows of positions {@code [start, start + n)} of the order. */
  private void checkBatch(NativeBatch next, ReadColumns cols, RowOrder order, long start, int n) {
    assertThat(next).isNotNull();
    try (NativeBatch b = next;
        VectorSchemaRoot root = b.toArrow(cols.schema(), allocator)) {
      assertThat(root.getRowCount()).isEqualTo(n);
      BigIntVector v = (BigIntVector) root.getVector("v");
      UInt8Vector addr = (UInt8Vector) root.getVector(RowReader.ROW_ID);
      for (int i = 0; i < n; i++) {
        long a = ADDRESS.applyAsLong(order.get(start + i));
        assertThat(addr.get(i)).isEqualTo(a);
        assertThat(v.get(i)).isEqualTo(value(a));
      }
    }
  }

  /** 3,000 fragments of 10^6 rows; a row's {@code v} is {@link #value} of its address. */
  static class Synthetic implements ReadTable {
    final AtomicLong rowsTaken = new AtomicLong();
    private final BufferAllocator allocator;
    private final Schema schema =
        new Schema(List.of(Field.nullable("v", new ArrowType.Int(64, true))));

    Synthetic(BufferAllocator allocator) {
      this.allocator = allocator;
    }

    @Override
    public String name() {
      return "synthetic";
    }

    @Override
    public long version() {
      return 1;
    }

    @Override
    public Schema schema() {
      return schema;
    }

    @Override
    public long countRows() {
      return ROWS;
    }

    @Override
    public List<FragmentSize> fragments() {
      List<FragmentSize> out = new ArrayList<>(FRAGMENTS);
      for (int f = 0; f < FRAGMENTS; f++) {
        out.add(new FragmentSize(f, PER_FRAGMENT, PER_FRAGMENT, List.of()));
      }
      return out;
    }

    @Override
    public BufferAllocator allocator() {
      return allocator;
    }

    @Override
    public Identity identity() {
      return new Identity("synthetic://", "synthetic", 1);
    }

    @Override
    public ArrowReader scan(ReadScan scan, BufferAllocator allocator) {
      throw new UnsupportedOperationException("the planner takes (TAKE costs)");
    }

    @Override
    public NativeScan nativeScan(ReadScan scan) {
      throw new UnsupportedOperationException("the planner takes (TAKE costs)");
    }

    @Override
    public VectorSchemaRoot takeRowIds(
        long[] rowIds, List<String> columns, BufferAllocator allocator) {
      assertThat(columns).containsExactly("v");
      VectorSchemaRoot root =
          VectorSchemaRoot.create(schema, allocator == null ? this.allocator : allocator);
      BigIntVector v = (BigIntVector) root.getVector("v");
      v.allocateNew(rowIds.length);
      for (int i = 0; i < rowIds.length; i++) {
        long a = rowIds[i];
        if ((a >>> 32) >= FRAGMENTS || (a & 0xFFFFFFFFL) >= PER_FRAGMENT) {
          root.close();
          throw new IllegalArgumentException("no row " + a);
        }
        v.set(i, value(a));
      }
      v.setValueCount(rowIds.length);
      root.setRowCount(rowIds.length);
      rowsTaken.addAndGet(rowIds.length);
      return root;
    }

    @Override
    public VectorSchemaRoot takeOffsets(
        long[] offsets, List<String> columns, BufferAllocator allocator) {
      throw new UnsupportedOperationException("the planner takes by address");
    }
  }
}
