package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Table;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.permutation.LongArrayBuilder;
import dev.lancetorch.internal.read.NativeColumnCache;
import dev.lancetorch.internal.read.ReadColumns;
import dev.lancetorch.internal.read.ReadCosts;
import dev.lancetorch.internal.read.ReadThreads;
import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.internal.read.WindowReader;
import dev.lancetorch.torch.BridgeStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.apache.arrow.vector.BigIntVector;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read planner ({@link WindowReader}): every path (range scan + native merge, coalesced take,
 * memory cache, mixed) delivers exactly what one take per batch delivers, in the same order and
 * batch sizes; budgets bound the windows; every native batch is released on every path, early exits
 * and errors included (the fixture's allocator checks Arrow Java buffers).
 */
class ReadPlannerTest extends TableFixture {
  static final int FRAGS = 3;
  static final int PER = 250;
  static final int N = FRAGS * PER;
  static final List<String> COLS = List.of("id", "x", "vec");

  /** Always scans. */
  static final ReadCosts SCAN = new ReadCosts(1e9, 1e9, 0, 0);

  /** Always takes. */
  static final ReadCosts TAKE = new ReadCosts(0, 0, 1e9, 1e9);

  /** Scans a fragment when more than half of its covering range is wanted, else takes. */
  static final ReadCosts HALF = new ReadCosts(0, 1, 0, 0.5 / 24);

  /** Always scans, each fragment's scan split into parts of at least 7 scanned rows. */
  static final ReadCosts SPLIT_SCAN = SCAN.withParts(7, 3);

  /** Always takes, each fragment's take split into parts of at least 3 rows. */
  static final ReadCosts SPLIT_TAKE = TAKE.withParts(7, 3);

  ReadPlannerTest() {
    super(FRAGS, PER);
  }

  @AfterEach
  void everyNativeBatchReleased() {
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
  }

  static long addr(long id) {
    return TestTables.address((int) (id / PER), id % PER);
  }

  static long[] shuffled(int n, long seed) {
    List<Long> ids = new ArrayList<>(LongStream.range(0, n).boxed().toList());
    java.util.Collections.shuffle(ids, new Random(seed));
    return ids.stream().mapToLong(ReadPlannerTest::addr).toArray();
  }

  /** Clumps of {@code clump} consecutive rows in shuffled clump order. */
  static long[] clumps(int clump, long seed) {
    List<Integer> starts = new ArrayList<>();
    for (int s = 0; s < N; s += clump) {
      starts.add(s);
    }
    java.util.Collections.shuffle(starts, new Random(seed));
    LongArrayBuilder b = new LongArrayBuilder();
    for (int s : starts) {
      for (int i = s; i < Math.min(N, s + clump); i++) {
        b.add(addr(i));
      }
    }
    return b.toArray();
  }

  /** The reference: one take per batch (read-ahead off). */
  List<Long> reference(Permutation<ArrowBatch> p, List<Integer> sizes) {
    try (BatchIterator<ArrowBatch> it = p.withReadAhead(0).iter(p.batchSize(), false)) {
      List<Long> ids = PermutationTest.ids(() -> it, sizes);
      assertThat(it.readStats().windows).isZero();
      return ids;
    }
  }

  /**
   * Reads {@code addrs} through a planner with these costs and budget; returns the ids (columns
   * checked).
   */
  List<Long> planned(
      long[] addrs,
      int batchSize,
      long budget,
      ReadCosts costs,
      WindowReader.Stats stats,
      List<Integer> sizes) {
    ReadColumns cols = ReadColumns.of(table.schema(), COLS);
    try (WindowReader r =
        new WindowReader(
            new TableBase(table), cols, addrs, batchSize, budget, null, stats, costs)) {
      return drain(r, table, cols, sizes);
    }
  }

  @Test
  void batchesOfTheirOwnSizesAreReadExactlyOnEveryPath() {
    long[] addrs = shuffled(N, 17);
    Random rnd = new Random(5);
    List<Integer> want = new ArrayList<>();
    for (int left = N; left > 0; ) {
      int n = Math.min(left, 1 + rnd.nextInt(60)); // 1..60 rows: every window mixes sizes
      want.add(n);
      left -= n;
    }
    int[] sizes = want.stream().mapToInt(Integer::intValue).toArray();
    ReadColumns cols = ReadColumns.of(table.schema(), COLS);
    for (ReadCosts costs : List.of(SCAN, TAKE, HALF, SPLIT_SCAN, SPLIT_TAKE)) {
      for (long budget : new long[] {1, 60 * 28 * 8, 1L << 26}) { // one batch, a few, all
        WindowReader.Stats st = new WindowReader.Stats();
        List<Integer> got = new ArrayList<>();
        try (WindowReader r =
            new WindowReader(new TableBase(table), cols, addrs, sizes, budget, null, st, costs)) {
          assertThat(drain(r, table, cols, got)).as("%s %d", costs, budget).isEqualTo(idsOf(addrs));
        }
        assertThat(got).as("every batch its own size").isEqualTo(want);
        if (budget == 1) { // whole batches of at most the first one's rows, at least one
          assertThat(st.windows).isBetween((long) (N / sizes[0]), (long) sizes.length);
        } else if (budget == 1L << 26) {
          assertThat(st.windows).isEqualTo(1);
        }
      }
    }
    assertThatThrownBy(
            () ->
                new WindowReader(
                    new TableBase(table),
                    cols,
                    addrs,
                    new int[] {N - 1},
                    1 << 20,
                    null,
                    null,
                    SCAN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sum to " + (N - 1));
    assertThatThrownBy(
            () ->
                new WindowReader(
                    new TableBase(table), cols, addrs, new int[] {N, 0}, 1 << 20, null, null, SCAN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one row");
  }

  /** Every batch of the reader as ids (columns checked against the id). */
  static List<Long> drain(WindowReader r, Table t, ReadColumns cols, List<Integer> sizes) {
    List<Long> ids = new ArrayList<>();
    for (NativeBatch next = r.next(); next != null; next = r.next()) {
      try (NativeBatch b = next) {
        ids.addAll(ids(b, t, cols, sizes));
      }
    }
    return ids;
  }

  /** One batch's rows as ids (columns checked against the id); borrows the batch. */
  static List<Long> ids(NativeBatch b, Table t, ReadColumns cols, List<Integer> sizes) {
    try (ArrowBatch ab = new ArrowBatch(b.toArrow(cols.schema(), t.allocator()))) {
      return PermutationTest.ids(List.of(ab), sizes);
    }
  }

  Permutation<ArrowBatch> permutation(String name, long[] addrs, int batchSize) {
    try (Table perm = TestTables.permutationTable(db, name, addrs, new long[addrs.length], null)) {
      return Permutation.fromTables(table, perm, 0)
          .selectColumns("id", "x", "vec")
          .withBatchSize(batchSize);
    }
  }

  static List<Long> idsOf(long[] addrs) {
    List<Long> out = new ArrayList<>();
    for (long a : addrs) {
      out.add((a >>> 32) * PER + (a & 0xFFFFFFFFL));
    }
    return out;
  }

  @Test
  void everyPathDeliversThePermutationOrderInExactBatches() {
    for (long seed = 1; seed <= 3; seed++) {
      for (long[] addrs : List.of(shuffled(N, seed), clumps(8, seed), shuffled(N / 3, seed + 10))) {
        List<Long> expected = idsOf(addrs);
        for (ReadCosts costs :
            List.of(SCAN, TAKE, HALF, ReadCosts.DEFAULT, SPLIT_SCAN, SPLIT_TAKE)) {
          for (long budget : List.of(1L, 3L * 33 * 24, 1L << 26)) {
            List<Integer> sizes = new ArrayList<>();
            WindowReader.Stats st = new WindowReader.Stats();
            assertThat(planned(addrs, 33, budget, costs, st, sizes))
                .as("%s budget %d", costs, budget)
                .isEqualTo(expected);
            assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(s -> s == 33);
            assertThat(sizes.get(sizes.size() - 1))
                .isEqualTo(addrs.length % 33 == 0 ? 33 : addrs.length % 33);
            if (costs == SCAN || costs == SPLIT_SCAN) {
              assertThat(st.takes).isZero();
              assertThat(st.scans).isPositive();
            } else if (costs == TAKE || costs == SPLIT_TAKE) {
              assertThat(st.scans).isZero();
              assertThat(st.takes).isPositive();
            }
            if ((costs == SPLIT_SCAN || costs == SPLIT_TAKE) && budget == 1L << 26) {
              long touched = java.util.Arrays.stream(addrs).map(a -> a >>> 32).distinct().count();
              assertThat(st.scans + st.takes)
                  .as("one window: each fragment's read split over the read threads")
                  .isGreaterThanOrEqualTo(ReadThreads.threads() > 1 ? 2 * touched : touched);
            }
          }
        }
      }
    }
  }

  @Test
  void nextWindowIsReadAheadWhileOneIsHandedOutAndCloseWaitsForIt() throws Exception {
    long[] addrs = shuffled(N, 4);
    int rowBytes = 8 + 4 + 16;
    long budget =
        WindowReader.WINDOWS_ALIVE * 2L * 20 * rowBytes; // windows of 2 batches of 20 rows
    ReadColumns cols = ReadColumns.of(table.schema(), COLS);
    WindowReader.Stats st = new WindowReader.Stats();
    try (WindowReader r =
        new WindowReader(
            new TableBase(table), cols, addrs, 20, budget, null, st, ReadCosts.DEFAULT)) {
      try (NativeBatch first = r.next()) {
        assertThat(first.numRows()).isEqualTo(20);
        // windows 2 and 3 are read without another next(), and no 4th: 3 windows alive at most
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (windows(st) < WindowReader.WINDOWS_ALIVE && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        Thread.sleep(50); // a 4th window, were one started, would be read by now
        assertThat(windows(st))
            .as("windows 2 and 3 read ahead")
            .isEqualTo(WindowReader.WINDOWS_ALIVE);
      }
      r.next().close(); // the rest of window 1; windows 2 and 3 are read, window 4 starts
    } // closed with windows 2, 3 unread and window 4 maybe still reading: @AfterEach sees no batch
    // left
    List<Long> all = new ArrayList<>();
    try (WindowReader r =
        new WindowReader(
            new TableBase(table), cols, addrs, 20, budget, null, new WindowReader.Stats(), SCAN)) {
      all.addAll(drain(r, table, cols, new ArrayList<>()));
    }
    assertThat(all).isEqualTo(idsOf(addrs));
  }

  private static long windows(WindowReader.Stats st) {
    synchronized (st) {
      return st.windows;
    }
  }

  @Test
  void aFailingWindowReadAheadIsThrownWhenItsBatchesAreAsked() {
    long[] addrs = shuffled(N, 6);
    long[] bad = addrs.clone();
    bad[100] = TestTables.address(FRAGS + 5, 0); // no such fragment: window 6 of 38 (1 batch each)
    ReadColumns cols = ReadColumns.of(table.schema(), COLS);
    try (WindowReader r =
        new WindowReader(
            new TableBase(table),
            cols,
            bad,
            20,
            2L * 20 * 28,
            null,
            new WindowReader.Stats(),
            ReadCosts.DEFAULT)) {
      int batches = 0;
      Throwable thrown = null;
      try {
        for (NativeBatch b = r.next(); b != null; b = r.next()) {
          b.close();
          batches++;
        }
      } catch (IllegalArgumentException e) {
        thrown = e;
      }
      assertThat(thrown).hasMessageContaining("does not exist");
      assertThat(batches).as("every window before the bad one delivered").isEqualTo(100 / 20);
      assertThatThrownBy(r::next)
          .as("the failed window's rows are never skipped")
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void splitReadsKeepRowsAskedTwiceAndDeliverTheOrder() {
    // every row twice, adjacent after sorting: a part boundary must never separate the two asks
    long[] once = shuffled(N, 9);
    long[] twice = new long[2 * N];
    for (int i = 0; i < N; i++) {
      twice[i] = once[i];
      twice[N + i] = once[N - 1 - i];
    }
    for (ReadCosts costs : List.of(SPLIT_SCAN, SPLIT_TAKE, TAKE.withParts(1, 1))) {
      WindowReader.Stats st = new WindowReader.Stats();
      assertThat(planned(twice, 64, 1L << 26, costs, st, new ArrayList<>()))
          .as("%s", costs)
          .isEqualTo(idsOf(twice));
      assertThat(st.windows).isEqualTo(1);
    }
  }

  @Test
  void mixedWindowScansDenseFragmentsAndTakesSparseOnes() {
    // All of fragment 0 (dense), 5 rows of fragment 1 spread over it (sparse), interleaved.
    LongArrayBuilder b = new LongArrayBuilder();
    for (int i = 0; i < PER; i++) {
      b.add(addr(PER - 1 - i));
      if (i % 50 == 0) {
        b.add(addr(PER + i));
      }
    }
    long[] addrs = b.toArray();
    WindowReader.Stats st = new WindowReader.Stats();
    assertThat(planned(addrs, 16, 1L << 26, HALF, st, new ArrayList<>())).isEqualTo(idsOf(addrs));
    assertThat(st.windows).isEqualTo(1);
    assertThat(st.scans).isEqualTo(1);
    assertThat(st.takes).isEqualTo(1);
    assertThat(st.rowsScanned).isEqualTo(PER); // the scan covered fragment 0 only
  }

  @Test
  void costModelSwitchPoints() {
    ReadCosts c = ReadCosts.DEFAULT;
    // A window that wants most of a fragment scans it; a handful of rows spread over a huge
    // fragment is taken.
    assertThat(c.scanBeatsTake(250_000, 250_000, 20)).isTrue();
    assertThat(c.scanBeatsTake(16_384, 250_000, 20)).isTrue();
    assertThat(c.scanBeatsTake(10, 250_000, 20)).isFalse();
    assertThat(c.scanBeatsTake(10, 100, 20))
        .isTrue(); // small ranges are cheaper to scan than one take call
    // The switch point moves with the row width: wider rows make the scan dearer.
    long wanted = 1000;
    long evenSpan20 =
        (long)
            ((c.takeCallNanos() + wanted * c.takeRowNanos() - c.scanCallNanos())
                / (20 * c.scanByteNanos()));
    assertThat(c.scanBeatsTake(wanted, evenSpan20 - 10, 20)).isTrue();
    assertThat(c.scanBeatsTake(wanted, evenSpan20 + 10, 20)).isFalse();
    assertThat(c.scanBeatsTake(wanted, evenSpan20 - 10, 64)).isFalse();
  }

  @Test
  void budgetBoundsEveryWindow() {
    long[] addrs = shuffled(N, 5);
    int rowBytes = 8 + 4 + 16;
    for (int batchesPerWindow : new int[] {1, 2, 7}) {
      // the budget covers the window handed out and the two read ahead: a third of it each
      long budget = WindowReader.WINDOWS_ALIVE * batchesPerWindow * 20L * rowBytes;
      WindowReader.Stats st = new WindowReader.Stats();
      planned(addrs, 20, budget, ReadCosts.DEFAULT, st, new ArrayList<>());
      assertThat(WindowReader.WINDOWS_ALIVE * st.maxWindowBytes).isLessThanOrEqualTo(budget);
      int batches = (N + 19) / 20;
      assertThat(st.windows).isEqualTo((batches + batchesPerWindow - 1) / batchesPerWindow);
    }
    WindowReader.Stats st = new WindowReader.Stats();
    planned(
        addrs,
        20,
        1,
        ReadCosts.DEFAULT,
        st,
        new ArrayList<>()); // below one batch: one batch a window
    assertThat(st.windows).isEqualTo(N / 20 + (N % 20 == 0 ? 0 : 1));
  }

  /**
   * Two readers, the second reading after the first (a loader's next epoch): however slowly the
   * batches are taken, the windows both hold together never exceed {@link
   * WindowReader#WINDOWS_ALIVE} (so their bytes stay within the budget); the second reads ahead
   * while the first's last window is being read and handed out, not only after; both deliver
   * exactly their order; closing the first early still lets the second read everything.
   */
  @Test
  void aReaderReadingAfterAnotherSharesItsWindowSlotsAndReadsAlongsideItsLastWindow()
      throws Exception {
    ReadColumns cols = ReadColumns.of(table.schema(), COLS);
    int rowBytes = 8 + 4 + 16;
    long budget = WindowReader.WINDOWS_ALIVE * 2L * 20 * rowBytes; // 2 batches of 20 a window
    for (boolean closeFirstEarly : new boolean[] {false, true}) {
      long[] first = shuffled(N, 31);
      long[] second = shuffled(N, 32);
      WindowReader.Stats st = new WindowReader.Stats();
      List<Long> got1 = new ArrayList<>();
      List<Long> got2 = new ArrayList<>();
      int maxHeld = 0;
      boolean secondReadAlongside = false;
      try (WindowReader a =
              new WindowReader(
                  new TableBase(table), cols, first, 20, budget, null, st, ReadCosts.DEFAULT);
          WindowReader b =
              new WindowReader(
                  new TableBase(table), cols, second, 20, budget, null, st, ReadCosts.DEFAULT)) {
        a.start();
        b.readAfter(a);
        assertThat(b.windowsHeld()).as("nothing before the first starts its last").isZero();
        int batches = (N + 19) / 20;
        for (int i = 0; i < batches; i++) {
          if (closeFirstEarly && i == batches / 2) {
            a.close();
            break;
          }
          try (NativeBatch t = a.next()) {
            got1.addAll(ids(t, table, cols, new ArrayList<>()));
          }
          Thread.sleep(1); // a slow consumer: the reads ahead get every chance to overrun
          maxHeld = Math.max(maxHeld, a.windowsHeld() + b.windowsHeld());
          secondReadAlongside |= i < batches - 1 && b.windowsHeld() > 0;
        }
        if (!closeFirstEarly) {
          assertThat(a.next()).isNull();
          assertThat(got1).isEqualTo(idsOf(first));
          assertThat(secondReadAlongside)
              .as("the second reads ahead before the first's last batch is taken")
              .isTrue();
        }
        for (NativeBatch next = b.next(); next != null; next = b.next()) {
          try (NativeBatch t = next) {
            got2.addAll(ids(t, table, cols, new ArrayList<>()));
          }
          maxHeld = Math.max(maxHeld, b.windowsHeld());
        }
      }
      assertThat(got2).as("closeFirstEarly=%s", closeFirstEarly).isEqualTo(idsOf(second));
      assertThat(maxHeld).isBetween(1, WindowReader.WINDOWS_ALIVE);
      assertThat(WindowReader.WINDOWS_ALIVE * st.maxWindowBytes).isLessThanOrEqualTo(budget);
    }
    // after a reader already closed: nothing is read until the first batch is asked
    long[] addrs = shuffled(N, 33);
    try (WindowReader a =
            new WindowReader(
                new TableBase(table), cols, addrs, 20, budget, null, null, ReadCosts.DEFAULT);
        WindowReader b =
            new WindowReader(
                new TableBase(table),
                cols,
                addrs,
                20,
                budget,
                null,
                new WindowReader.Stats(),
                ReadCosts.DEFAULT)) {
      a.close();
      b.readAfter(a);
      Thread.sleep(50);
      assertThat(b.windowsHeld()).isZero();
      assertThat(drain(b, table, cols, new ArrayList<>())).isEqualTo(idsOf(addrs));
    }
  }

  @Test
  void permutationsUseThePlannerByDefaultAndMatchOneTakePerBatch() {
    long[] addrs = shuffled(N, 9);
    Permutation<ArrowBatch> p = permutation("p", addrs, 32);
    List<Integer> refSizes = new ArrayList<>();
    List<Long> expected = reference(p, refSizes);
    assertThat(expected).isEqualTo(idsOf(addrs));
    assertThat(p.readAheadBytes()).isEqualTo(Permutation.DEFAULT_READ_AHEAD_BYTES);
    try (BatchIterator<ArrowBatch> it = p.iterator()) {
      List<Integer> sizes = new ArrayList<>();
      assertThat(PermutationTest.ids(() -> it, sizes)).isEqualTo(expected.subList(0, N - N % 32));
      assertThat(sizes).isEqualTo(refSizes.subList(0, refSizes.size() - 1));
      assertThat(it.readStats().windows).isEqualTo(1);
    }
    try (BatchIterator<ArrowBatch> it =
        p.withReadAhead(WindowReader.WINDOWS_ALIVE * 32 * 28 * 3).iter(32, false)) {
      assertThat(PermutationTest.ids(() -> it, new ArrayList<>())).isEqualTo(idsOf(addrs));
      assertThat(it.readStats().windows).isEqualTo((N + 95) / 96);
    }
    assertThatThrownBy(() -> p.withReadAhead(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tensorFormatsMatchTheTakePath() {
    long[] addrs = clumps(16, 4);
    Permutation<ArrowBatch> p = permutation("t", addrs, 50);
    List<Long> expected = idsOf(addrs).subList(0, N - N % 50);
    List<Long> got = new ArrayList<>();
    for (TensorDict d : p.withFormat(Format.TORCH_DICT)) {
      try (d;
          org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
        Tensor id = d.get("id");
        Tensor vec = d.get("vec");
        assertThat(vec.size(0)).isEqualTo(50);
        assertThat(vec.size(1)).isEqualTo(TestTables.DIM);
        for (int i = 0; i < 50; i++) {
          long r = id.get(i).item_long();
          got.add(r);
          assertThat(d.get("x").get(i).item_float()).isEqualTo(TestTables.x(r));
          assertThat(vec.get(i).get(3).item_float()).isEqualTo(TestTables.vec(r, 3));
        }
      }
    }
    assertThat(got).isEqualTo(expected);
    try (BatchIterator<Tensor> it =
        p.selectColumns("x").withFormat(Format.TORCH_COL).iter(50, true)) {
      int k = 0;
      while (it.hasNext()) {
        try (Tensor t = it.next();
            org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
          assertThat(t.size(0)).isEqualTo(1);
          assertThat(t.get(0).get(7).item_float())
              .isEqualTo(TestTables.x(expected.get(k * 50 + 7)));
        }
        k++;
      }
      assertThat(it.readStats().windows).isEqualTo(1);
    }
  }

  @Test
  void rowIdColumnIsTheBaseRowAddress() {
    long[] addrs = shuffled(N, 2);
    Permutation<ArrowBatch> p = permutation("r", addrs, 25).selectColumns("_rowid", "id");
    int k = 0;
    try (BatchIterator<ArrowBatch> it = p.iterator()) {
      while (it.hasNext()) {
        try (ArrowBatch b = it.next()) {
          org.apache.arrow.vector.UInt8Vector ids =
              (org.apache.arrow.vector.UInt8Vector) b.column("_rowid");
          for (int i = 0; i < b.numRows(); i++, k++) {
            assertThat(ids.get(i)).isEqualTo(addrs[k]);
            assertThat(((BigIntVector) b.column("id")).get(i)).isEqualTo(idsOf(addrs).get(k));
          }
        }
      }
      assertThat(it.readStats().windows).isEqualTo(1);
    }
    assertThat(k).isEqualTo(N);
  }

  @Test
  void memoryCacheGathersNatively() {
    long[] addrs = shuffled(N, 6);
    Permutation<ArrowBatch> p = permutation("c", addrs, 40);
    List<Long> expected = reference(p, new ArrayList<>());
    try (Permutation<ArrowBatch> cached = p.withMemoryCache(1 << 20);
        BatchIterator<ArrowBatch> it = cached.iter(40, false)) {
      assertThat(PermutationTest.ids(() -> it, new ArrayList<>())).isEqualTo(expected);
      assertThat(it.readStats().cacheGathers).isEqualTo(1);
      assertThat(it.readStats().scans + it.readStats().takes).isZero();
      assertThat(cached.memoryCacheBytes()).isEqualTo((long) N * (8 + 4 + 16));
      assertThat(NativeColumnCache.liveBytes()).isGreaterThanOrEqualTo(cached.memoryCacheBytes());
    }
    try (Permutation<ArrowBatch> tooSmall = p.withMemoryCache(1000);
        BatchIterator<ArrowBatch> it = tooSmall.iter(40, false)) {
      assertThat(PermutationTest.ids(() -> it, new ArrayList<>())).isEqualTo(expected);
      assertThat(it.readStats().cacheGathers).isZero();
      assertThat(tooSmall.memoryCacheBytes()).isZero();
    }
  }

  @Test
  void deletedRowsAreSkippedByAddressAndAskingForOneFails() throws Exception {
    try (org.lance.Dataset other =
        org.lance.Dataset.open(
            allocator, table.uri(), new org.lance.ReadOptions.Builder().build())) {
      other.delete("id % 7 = 3 OR (id >= 260 AND id < 300)");
    }
    try (Table latest = table.checkoutLatest()) {
      List<Long> live = new ArrayList<>();
      for (long i = 0; i < N; i++) {
        if (i % 7 != 3 && !(i >= 260 && i < 300)) {
          live.add(i);
        }
      }
      java.util.Collections.shuffle(live, new Random(8));
      long[] addrs = live.stream().mapToLong(ReadPlannerTest::addr).toArray();
      ReadColumns cols = ReadColumns.of(latest.schema(), COLS);
      for (ReadCosts costs : List.of(SCAN, TAKE, HALF)) {
        try (WindowReader r =
            new WindowReader(
                new TableBase(latest),
                cols,
                addrs,
                30,
                30 * 28 * 4,
                null,
                new WindowReader.Stats(),
                costs)) {
          assertThat(drain(r, latest, cols, new ArrayList<>())).as("%s", costs).isEqualTo(live);
        }
      }
      long[] withDeleted = {addr(1), addr(3), addr(5)};
      // a deleted row asked: the scan's merge misses it, the take refuses it
      Map<ReadCosts, Class<? extends RuntimeException>> errors =
          Map.of(SCAN, IllegalArgumentException.class, TAKE, IllegalStateException.class);
      Map<ReadCosts, String> messages = Map.of(SCAN, "0:3", TAKE, "deleted");
      for (ReadCosts costs : List.of(SCAN, TAKE)) {
        try (WindowReader r =
            new WindowReader(
                new TableBase(latest),
                cols,
                withDeleted,
                3,
                1 << 20,
                null,
                new WindowReader.Stats(),
                costs)) {
          assertThatThrownBy(r::next)
              .isInstanceOf(errors.get(costs))
              .hasMessageContaining(messages.get(costs));
        }
      }
    }
  }

  @Test
  void missingAddressIsAClearErrorAndEarlyExitReleasesTheWindow() {
    long[] addrs = shuffled(N, 3);
    addrs[400] = TestTables.address(1, 9999); // beyond fragment 1
    // a permutation table holding it is refused up front (Permutations.of checks every row id) ...
    assertThatThrownBy(() -> permutation("m", addrs, 25))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1:9999");
    // ... and a selection that bypasses that check still fails clearly in the read path
    Permutation<ArrowBatch> p =
        Permutation.create(table, t -> RowSelection.addresses(addrs))
            .selectColumns("id", "x", "vec")
            .withBatchSize(25);
    try (BatchIterator<ArrowBatch> it = p.iterator()) {
      assertThatThrownBy(it::next)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1:9999");
    }
    long[] ok = shuffled(N, 4);
    Permutation<TensorDict> q =
        permutation("e", ok, 25).withFormat(Format.TORCH_DICT).withReadAhead(25 * 28 * 10);
    Tensor kept;
    try (BatchIterator<TensorDict> it = q.iterator()) {
      try (TensorDict first = it.next()) {
        kept = first.get("id").clone();
      }
      it.next().close();
    } // closes the window's 8 batches not handed out
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
    try (Tensor first = kept.get(0)) {
      assertThat(first.item_long()).isEqualTo(idsOf(ok).get(0));
    }
    kept.close();
  }

  @Test
  void appendsDuringAReadDoNotChangeIt() {
    long[] addrs = shuffled(N, 12);
    Permutation<ArrowBatch> p = permutation("a", addrs, 30).withReadAhead(30 * 28 * 5);
    List<Long> got = new ArrayList<>();
    try (BatchIterator<ArrowBatch> it = p.iter(30, false)) {
      got.addAll(PermutationTest.ids(List.of(it.next()), new ArrayList<>()));
      try (org.apache.arrow.vector.VectorSchemaRoot more =
          TestTables.rows(db.allocator(), N, PER)) {
        table.add(more);
      }
      got.addAll(PermutationTest.ids(() -> it, new ArrayList<>()));
    }
    assertThat(got).isEqualTo(idsOf(addrs));
  }

  @Test
  void plannedReadsServeAWorkersShareAndEndOnTheFirstOtherRequest() {
    for (Permutation<ArrowBatch> p :
        List.of(
            permutation("w", shuffled(N, 21), 20),
            Permutation.identity(table).selectColumns("id", "x", "vec"))) {
      Random rnd = new Random(5);
      List<long[]> batches = new ArrayList<>();
      for (int b = 0; b < 12; b++) {
        batches.add(
            rnd.longs(b == 11 ? 7 : 20, 0, N).toArray()); // duplicates allowed, shorter last batch
      }
      Permutation<ArrowBatch> plain = p.withReadAhead(0);
      Permutation<ArrowBatch> planned = p.withReadAhead(20 * 28 * 4);
      planned.planReads(batches);
      for (int b = 0; b < 12; b++) {
        long[] ask =
            b == 6 ? new long[] {3, 1} : batches.get(b); // batch 6 differs: the plan ends there
        try (ArrowBatch want = plain.takeOffsets(ask);
            ArrowBatch got = planned.takeOffsets(ask)) {
          assertThat(PermutationTest.ids(List.of(got), new ArrayList<>()))
              .isEqualTo(PermutationTest.ids(List.of(want), new ArrayList<>()));
        }
      }
      planned.planReads(batches);
      planned.takeOffsets(batches.get(0)).close();
      planned.planReads(List.of()); // drops the window (3 batches not handed out)
      assertThat(BridgeStats.snapshot().liveBatches()).isZero();
      planned.planReads(batches);
      planned.close(); // also drops it
      assertThat(BridgeStats.snapshot().liveBatches()).isZero();
    }
  }

  @Test
  void loaderWorkersShareOneReadOfTheEpochInTheSameOrder() {
    Permutation<TensorDict> p = permutation("l", shuffled(N, 30), 1).withFormat(Format.TORCH_DICT);
    for (int workers : new int[] {0, 1, 2, 3}) {
      List<List<Long>> planned = new ArrayList<>();
      List<List<Long>> plain = new ArrayList<>();
      for (Permutation<TensorDict> src : List.of(p, p.withReadAhead(0))) {
        long windowsBefore = WindowReader.windowsRead();
        try (dev.lancetorch.loader.DataLoader<TensorDict> l =
            dev.lancetorch.loader.DataLoader.builder(src)
                .batchSize(32)
                .shuffle(true)
                .seed(3)
                .numWorkers(workers)
                .build()) {
          for (int epoch = 0; epoch < 3; epoch++) {
            (src == p ? planned : plain).add(epochIds(l));
          }
        }
        long windows = WindowReader.windowsRead() - windowsBefore;
        if (src != p) {
          assertThat(windows).as("read-ahead off reads no window").isZero();
        } else if (workers == 0) {
          assertThat(windows).isEqualTo(3);
        } else {
          // one window per epoch however many workers share it (a worker planning its own share
          // read one per worker), plus at most the next epoch's, read ahead after the last one
          assertThat(windows).isBetween(3L, 4L);
        }
      }
      assertThat(planned).isEqualTo(plain);
      assertThat(planned.get(0)).hasSize(N).isNotEqualTo(planned.get(1));
    }
  }

  /**
   * The ids of one epoch of {@code l} (a loader or a streaming dataset), in the order delivered.
   */
  static List<Long> epochIds(Iterable<TensorDict> l) {
    List<Long> out = new ArrayList<>();
    for (TensorDict d : l) {
      try (d;
          Tensor id = d.get("id").contiguous()) {
        for (int i = 0; i < id.size(0); i++) {
          try (Tensor v = id.get(i)) {
            out.add(v.item_long());
          }
        }
      }
    }
    return out;
  }

  @Test
  void theNextEpochIsReadAheadAndDroppedWhenAnotherEpochRuns() throws Exception {
    Permutation<TensorDict> p = permutation("f", shuffled(N, 33), 1).withFormat(Format.TORCH_DICT);
    List<List<Long>> want = new ArrayList<>();
    try (dev.lancetorch.loader.DataLoader<TensorDict> plain =
        dev.lancetorch.loader.DataLoader.builder(p.withReadAhead(0))
            .batchSize(25)
            .shuffle(true)
            .numWorkers(2)
            .build()) {
      for (int epoch = 0; epoch < 8; epoch++) {
        want.add(epochIds(plain));
      }
    }
    try (dev.lancetorch.loader.DataLoader<TensorDict> once =
        dev.lancetorch.loader.DataLoader.builder(p)
            .batchSize(25)
            .shuffle(true)
            .numWorkers(2)
            .build()) {
      firstEpochReadsNothingAhead(
          once, want.get(0), "a loader's first epoch reads nothing ahead (it may be its only one)");
    }
    for (boolean persistent : new boolean[] {false, true}) {
      try (dev.lancetorch.loader.DataLoader<TensorDict> l =
          dev.lancetorch.loader.DataLoader.builder(p)
              .batchSize(25)
              .shuffle(true)
              .numWorkers(2)
              .persistentWorkers(persistent)
              .build()) {
        long before = WindowReader.windowsRead();
        assertThat(epochIds(l)).isEqualTo(want.get(0));
        if (!persistent) {
          assertThat(epochIds(l)).isEqualTo(want.get(1)); // read ahead from the second epoch on
        }
        int ahead = persistent ? 1 : 2;
        awaitWindows(before + ahead + 1);
        assertThat(WindowReader.windowsRead() - before)
            .as("epoch " + ahead + " read ahead without asking for it")
            .isEqualTo(ahead + 1);
        assertThat(epochIds(l)).as("the read-ahead epoch, adopted").isEqualTo(want.get(ahead));
        if (persistent) {
          continue;
        }
        long afterThree = WindowReader.windowsRead();
        // epoch 3's read-ahead does not match epoch 7: dropped, epoch 7 read afresh
        l.setEpoch(7);
        assertThat(epochIds(l)).isEqualTo(want.get(7));
        assertThat(WindowReader.windowsRead() - afterThree).isBetween(1L, 3L);
        // an abandoned epoch: its follower is dropped or adopted, never delivered wrong
        int seen = 0;
        for (TensorDict d : l) {
          d.close();
          if (++seen == 2) {
            break;
          }
        }
        l.setEpoch(3);
        assertThat(epochIds(l)).isEqualTo(want.get(3));
        assertThat(epochIds(l)).isEqualTo(want.get(4));
      } // the next epoch's read-ahead closes with the loader: @AfterEach sees no batch left
    }
  }

  /**
   * One epoch of {@code loader} is {@code want}, read in one window, and nothing is read ahead
   * after it; returns the windows read before it.
   */
  private static long firstEpochReadsNothingAhead(
      Iterable<TensorDict> loader, List<Long> want, String what) throws InterruptedException {
    long before = WindowReader.windowsRead();
    assertThat(epochIds(loader)).isEqualTo(want);
    Thread.sleep(300);
    assertThat(WindowReader.windowsRead() - before).as(what).isEqualTo(1);
    return before;
  }

  @Test
  void streamingDatasetReadsItsNextEpochAheadFromItsSecondEpochOn() throws Exception {
    Permutation<TensorDict> p = permutation("g", shuffled(N, 41), 1).withFormat(Format.TORCH_DICT);
    List<List<Long>> want = new ArrayList<>();
    // 375-row splits in batches of 25: every batch full
    try (dev.lancetorch.loader.StreamingDataset<TensorDict> plain =
        twoWorkerStream(p.withReadAhead(0), 25)) {
      for (int epoch = 0; epoch < 9; epoch++) {
        want.add(epochIds(plain));
      }
    }
    assertThat(want.get(0)).hasSize(N).isNotEqualTo(want.get(1));
    // two workers whose streams each end with a short batch: still one shared read of the epoch
    try (dev.lancetorch.loader.StreamingDataset<TensorDict> uneven = twoWorkerStream(p, 16)) {
      long before = WindowReader.windowsRead();
      assertThat(epochIds(uneven)).containsExactlyInAnyOrderElementsOf(want.get(0));
      assertThat(WindowReader.windowsRead() - before)
          .as("one window for both workers")
          .isEqualTo(1);
    }
    try (dev.lancetorch.loader.StreamingDataset<TensorDict> ds = twoWorkerStream(p, 25)) {
      long before =
          firstEpochReadsNothingAhead(
              ds, want.get(0), "the first epoch reads nothing ahead (it may be the only one)");
      assertThat(epochIds(ds)).isEqualTo(want.get(1));
      awaitWindows(before + 3);
      assertThat(WindowReader.windowsRead() - before)
          .as("epoch 2 read ahead without asking for it")
          .isEqualTo(3);
      assertThat(epochIds(ds)).as("the read-ahead epoch, adopted").isEqualTo(want.get(2));
      awaitWindows(before + 4);
      assertThat(WindowReader.windowsRead() - before).as("epoch 3 read ahead").isEqualTo(4);
      // epoch 3's read-ahead does not match epoch 5: dropped, epoch 5 read afresh
      ds.setEpoch(5);
      long at = WindowReader.windowsRead();
      assertThat(epochIds(ds)).isEqualTo(want.get(5));
      assertThat(WindowReader.windowsRead() - at).isBetween(1L, 2L);
      assertThat(epochIds(ds)).isEqualTo(want.get(6));
      // epoch 7, read ahead, left by a for-each with break while a tensor of it is kept
      Tensor kept = null;
      int seen = 0;
      for (TensorDict d : ds) {
        try (d) {
          kept = d.get("id").clone();
        }
        if (++seen == 2) {
          break;
        }
      }
      assertThat(epochIds(ds)).as("the next epoch after an abandoned one").isEqualTo(want.get(8));
      try (Tensor k = kept;
          Tensor first = k.get(0)) {
        assertThat(first.item_long())
            .isEqualTo(want.get(7).get(25)); // the second batch's first row
      }
    } // epoch 9's read-ahead closes with the dataset: @AfterEach sees no batch left
    // bad SQL in the dataset's filter: a clear error, nothing left behind
    assertThatThrownBy(
            () -> {
              try (dev.lancetorch.loader.StreamingDataset<TensorDict> bad =
                  dev.lancetorch.loader.StreamingDataset.builder(p)
                      .filter("id >>> 3")
                      .numSplits(2)
                      .numWorkers(2)
                      .build()) {
                epochIds(bad);
              }
            })
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A shuffled stream of {@code src} in 2 splits, one per worker, 2 workers. */
  private static dev.lancetorch.loader.StreamingDataset<TensorDict> twoWorkerStream(
      Permutation<TensorDict> src, int readBatchSize) {
    return dev.lancetorch.loader.StreamingDataset.builder(src)
        .numSplits(2)
        .numWorkers(2)
        .readBatchSize(readBatchSize)
        .shuffle(true)
        .shuffleSeed(3)
        .build();
  }

  /** Waits (up to 20 s) until the JVM has read {@code windows} windows. */
  private static void awaitWindows(long windows) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (WindowReader.windowsRead() < windows && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  @Test
  void sharedLoaderReadsOutOfOrderPersistentBreakAndErrorsLeaveNothingBehind() {
    Permutation<TensorDict> p = permutation("s", shuffled(N, 31), 1).withFormat(Format.TORCH_DICT);
    // out of order, persistent workers, three epochs: every row once per epoch
    try (dev.lancetorch.loader.DataLoader<TensorDict> l =
        dev.lancetorch.loader.DataLoader.builder(p)
            .batchSize(16)
            .shuffle(true)
            .numWorkers(3)
            .inOrder(false)
            .persistentWorkers(true)
            .build()) {
      for (int epoch = 0; epoch < 3; epoch++) {
        List<Long> ids = epochIds(l);
        java.util.Collections.sort(ids);
        assertThat(ids).isEqualTo(LongStream.range(0, N).boxed().toList());
      }
      // for-each with break: the batches read ahead and parked for the other workers are freed
      int seen = 0;
      for (TensorDict d : l) {
        d.close();
        if (++seen == 3) {
          break;
        }
      }
    }
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
    // a row that does not exist, mid-permutation: the loader raises it, nothing leaks
    long[] bad = shuffled(N, 32);
    bad[N / 2] = TestTables.address(FRAGS + 5, 0);
    Permutation<TensorDict> q =
        Permutation.create(table, t -> RowSelection.addresses(bad))
            .selectColumns("id", "x", "vec")
            .withFormat(Format.TORCH_DICT)
            .withReadAhead(
                WindowReader.WINDOWS_ALIVE
                    * 4L
                    * 16
                    * 28); // windows of 4 batches: the bad one mid-epoch
    try (dev.lancetorch.loader.DataLoader<TensorDict> l =
        dev.lancetorch.loader.DataLoader.builder(q).batchSize(16).numWorkers(2).build()) {
      int[] delivered = {0};
      assertThatThrownBy(
              () -> {
                for (TensorDict d : l) {
                  d.close();
                  delivered[0]++;
                }
              })
          .isInstanceOf(dev.lancetorch.loader.DataLoaderException.class)
          .hasStackTraceContaining("does not exist");
      assertThat(delivered[0]).isLessThan(N / 2 / 16 + 1);
    }
  }

  @Test
  void sharedReadsKeepATensorPastTheLoaderAndRefuseBadSql() {
    Permutation<TensorDict> p = permutation("k", shuffled(N, 34), 1).withFormat(Format.TORCH_DICT);
    List<Long> want = idsOf(shuffled(N, 34)).subList(0, 16);
    Tensor kept;
    try (dev.lancetorch.loader.DataLoader<TensorDict> l =
        dev.lancetorch.loader.DataLoader.builder(p).batchSize(16).numWorkers(2).build()) {
      java.util.Iterator<TensorDict> it = l.iterator();
      try (TensorDict first = it.next()) {
        kept = first.get("id").clone(); // a tensor of the first batch, kept past the loader
      }
    } // closed mid-epoch: the shared read's parked and unread batches go with it
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
    try (kept;
        Tensor ids = kept.contiguous()) {
      List<Long> got = new ArrayList<>();
      for (int i = 0; i < ids.size(0); i++) {
        try (Tensor v = ids.get(i)) {
          got.add(v.item_long());
        }
      }
      assertThat(got).isEqualTo(want);
    }
    assertThatThrownBy(() -> p.filter("id >>>> 2")).isInstanceOf(IllegalArgumentException.class);
  }
}
