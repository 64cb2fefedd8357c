package dev.lancetorch.permutation;

import static dev.lancetorch.permutation.VariableLengthPlannerTest.ALL;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.FRAGS;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.N;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.NON_NULL;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.PER;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.allIds;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.clumps;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.read;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.readTensors;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.shuffled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Connection;
import dev.lancetorch.Table;
import dev.lancetorch.internal.cache.DiskColumnCache;
import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.internal.read.WindowReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * The disk tier of the cache ({@link Permutation#withCache}): cached reads equal uncached ones
 * (every value, every column type the planner reads, nulls, deleted rows, several fragments, random
 * permutations and clumps), epoch 1 fills while it serves, epoch 2 and a new handle read the files;
 * budgets, a new table version, torn and corrupted files, a killed fill's leftovers and an unusable
 * directory; every native batch released and the allocators at zero after each test.
 */
class DiskCacheTest extends CachedTableFixture {
  @Override
  Table createTable(Connection db) {
    return VariableLengthPlannerTest.createTable(db);
  }

  static List<List<String>> rows(Permutation<ArrowBatch> p, boolean planned) {
    return read(p, p.columnNames(), new ArrayList<>(), planned);
  }

  @Test
  void epochOneFillsWhileServingAndLaterEpochsAndHandlesReadTheFiles() throws Exception {
    long[] addrs = shuffled(allIds(), 3);
    Permutation<ArrowBatch> base = permutation(table, addrs, ALL, 40).withReadAhead(48 << 10);
    List<List<String>> ref = rows(base.withReadAhead(0), false);
    try (Permutation<ArrowBatch> p =
        base.withCache(CacheOptions.disk(cacheDir, 1L << 30)).reopen()) {
      assertThat(rows(p, true)).as("epoch 1").isEqualTo(ref);
      p.fillCache(); // waits for the fills epoch 1 started
      CacheStats s = p.cacheStats();
      assertThat(s.fragmentsFilled()).isEqualTo(FRAGS);
      assertThat(s.bytesMapped()).isPositive();
      assertThat(cacheFiles()).hasSize(FRAGS);
      long servedBefore = s.rowsServed();
      assertThat(rows(p, true)).as("epoch 2").isEqualTo(ref);
      assertThat(p.cacheStats().rowsServed() - servedBefore)
          .as("epoch 2 from the files")
          .isEqualTo(N);
      assertThat(p.cacheStats().fragmentsFilled()).isEqualTo(FRAGS);
    }
    assertThat(DiskColumnCache.live()).isZero();
    // a new handle (a restart): the files are opened, not filled again
    try (Permutation<ArrowBatch> p =
        base.withCache(CacheOptions.disk(cacheDir, 1L << 30)).reopen()) {
      assertThat(rows(p, true)).isEqualTo(ref);
      assertThat(p.cacheStats().fragmentsOpened()).isEqualTo(FRAGS);
      assertThat(p.cacheStats().fragmentsFilled()).isZero();
      assertThat(p.cacheStats().rowsServed()).isEqualTo(N);
      // clumps and other shuffles over the same files
      for (long[] other : List.of(clumps(allIds(), 37, 4), shuffled(allIds(), 17))) {
        Permutation<ArrowBatch> q = permutation(table, other, ALL, 33);
        try (Permutation<ArrowBatch> c = q.withCache(CacheOptions.disk(cacheDir, 1L << 30))) {
          assertThat(rows(c, true)).isEqualTo(rows(q.withReadAhead(0), false));
        }
      }
    }
  }

  @Test
  void tensorFormatsReadTheSameFromTheFiles() {
    long[] addrs = shuffled(allIds(), 8);
    Permutation<ArrowBatch> p = permutation(table, addrs, NON_NULL, 48);
    List<Format<TensorDict>> formats =
        List.of(
            Format.TORCH_DICT,
            Format.torchDict(Map.of("ltok", dev.lancetorch.torch.PadOptions.fixed(3))));
    for (Format<TensorDict> f : formats) {
      List<Map<String, String>> ref = readTensors(p.withFormat(f).withReadAhead(0), false);
      try (Permutation<TensorDict> c =
          p.withFormat(f).withCache(CacheOptions.disk(cacheDir, 1L << 30)).reopen()) {
        c.fillCache();
        assertThat(c.cacheStats().fragmentsFilled() + c.cacheStats().fragmentsOpened())
            .isEqualTo(FRAGS);
        assertThat(readTensors(c, true)).isEqualTo(ref);
        assertThat(c.cacheStats().rowsServed()).isEqualTo(N);
      }
    }
  }

  @Test
  void deletedRowsAndANewVersionRefillOnlyWhatChanged() throws Exception {
    long[] addrs = shuffled(allIds(), 5);
    CacheOptions opts = CacheOptions.disk(cacheDir, 1L << 30);
    try (Permutation<ArrowBatch> p = permutation(table, addrs, ALL, 64).withCache(opts).reopen()) {
      p.fillCache();
      assertThat(p.cacheStats().fragmentsFilled()).isEqualTo(FRAGS);
    }
    try (org.lance.Dataset other =
        org.lance.Dataset.open(
            allocator, table.uri(), new org.lance.ReadOptions.Builder().build())) {
      other.delete("id >= 320 AND id < 380 OR id % 7 = 3 AND id >= 300 AND id < 600");
    }
    try (Table latest = table.checkoutLatest()) {
      try (VectorSchemaRoot more = VariableLengthPlannerTest.rows(db.allocator(), N, PER)) {
        latest.add(more); // a fourth fragment
      }
      List<Long> live = new ArrayList<>();
      for (long i = 0; i < N + PER; i++) {
        boolean deleted = (i >= 320 && i < 380) || (i % 7 == 3 && i >= 300 && i < 600);
        if (!deleted) {
          live.add(i);
        }
      }
      java.util.Collections.shuffle(live, new java.util.Random(9));
      long[] liveAddrs = live.stream().mapToLong(VariableLengthPlannerTest::addr).toArray();
      Permutation<ArrowBatch> q = permutation(latest, liveAddrs, ALL, 50);
      List<List<String>> ref = rows(q.withReadAhead(0), false);
      try (Permutation<ArrowBatch> c = q.withCache(opts).reopen()) {
        c.fillCache();
        // fragments 0 and 2 unchanged: opened; 1 (deletions) and 3 (new): filled
        assertThat(c.cacheStats().fragmentsOpened()).isEqualTo(2);
        assertThat(c.cacheStats().fragmentsFilled()).isEqualTo(2);
        assertThat(rows(c, true)).isEqualTo(ref);
        assertThat(c.cacheStats().rowsServed()).isEqualTo(live.size());
        // a deleted row asked for is an error, as without a cache
        long[] withDeleted = {VariableLengthPlannerTest.addr(330)};
        try (Permutation<ArrowBatch> d = permutation(latest, withDeleted, ALL, 1).withCache(opts)) {
          org.assertj.core.api.Assertions.assertThatThrownBy(() -> rows(d, true))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("does not exist");
        }
      }
    }
  }

  @Test
  void tornCorruptedAndLeftoverFilesAreDroppedAndRefilled() throws Exception {
    long[] addrs = shuffled(allIds(), 12);
    CacheOptions opts = CacheOptions.disk(cacheDir, 1L << 30);
    Permutation<ArrowBatch> base = permutation(table, addrs, ALL, 64);
    List<List<String>> ref = refAfterFill(base, opts);
    List<Path> files = cacheFiles();
    assertThat(files).hasSize(FRAGS);
    // flipped bytes in the middle of one file, another cut short, and a killed fill's leftovers
    try (RandomAccessFile f = new RandomAccessFile(files.get(0).toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x5A);
    }
    try (RandomAccessFile f = new RandomAccessFile(files.get(1).toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
    Path temp = files.get(2).resolveSibling(files.get(2).getFileName() + ".tmp-1-1");
    Files.write(temp, new byte[1000]);
    Files.delete(files.get(2)); // its fill never finished
    try (Permutation<ArrowBatch> p = base.withCache(opts).reopen()) {
      assertThat(rows(p, true)).isEqualTo(ref);
      p.fillCache();
      assertThat(p.cacheStats().filesDropped()).isEqualTo(2);
      assertThat(p.cacheStats().fragmentsFilled()).isEqualTo(3);
      long served = p.cacheStats().rowsServed();
      assertThat(rows(p, true)).isEqualTo(ref);
      assertThat(p.cacheStats().rowsServed() - served).isEqualTo(N);
    }
    assertThat(Files.exists(temp)).as("the killed fill's temporary file").isFalse();
    assertThat(cacheFiles()).hasSize(FRAGS);
  }

  @Test
  void aBudgetSmallerThanTheColumnsCachesWhatFitsAndEvictsOldFiles() throws Exception {
    long[] addrs = shuffled(allIds(), 21);
    Permutation<ArrowBatch> base = permutation(table, addrs, ALL, 64);
    List<List<String>> ref = rows(base.withReadAhead(0), false);
    long all;
    try (Permutation<ArrowBatch> p =
        base.withCache(CacheOptions.disk(cacheDir, 1L << 30)).reopen()) {
      p.fillCache();
      all = cacheFiles().stream().mapToLong(DiskCacheTest::size).sum();
    }
    deleteTree(cacheDir);
    long budget = all - 1; // any two files fit, not three
    try (Permutation<ArrowBatch> p = base.withCache(CacheOptions.disk(cacheDir, budget)).reopen()) {
      p.fillCache();
      assertThat(p.cacheStats().fragmentsFilled()).isEqualTo(2);
      assertThat(p.cacheStats().fragmentsSkipped()).isEqualTo(1);
      assertThat(rows(p, true)).isEqualTo(ref);
      assertThat(p.cacheStats().rowsServed()).isBetween(1L, (long) N - 1);
    }
    assertThat(cacheFiles().stream().mapToLong(DiskCacheTest::size).sum())
        .isLessThanOrEqualTo(budget);
    // another column set in the same directory: the least recently used files make room
    Permutation<ArrowBatch> other = permutation(table, addrs, List.of("id", "lname"), 64);
    try (Permutation<ArrowBatch> p =
        other.withCache(CacheOptions.disk(cacheDir, budget)).reopen()) {
      p.fillCache();
      assertThat(p.cacheStats().fragmentsFilled()).as("%s", p.cacheStats()).isEqualTo(FRAGS);
      assertThat(rows(p, true)).isEqualTo(rows(other.withReadAhead(0), false));
    }
    assertThat(cacheFiles().stream().mapToLong(DiskCacheTest::size).sum())
        .isLessThanOrEqualTo(budget);
  }

  @Test
  void closingTheHandleWhileItsIteratorReadsAheadNeitherCrashesNorReadsWrong() {
    long[] addrs = shuffled(allIds(), 4);
    Permutation<ArrowBatch> base = permutation(table, addrs, ALL, 16).withReadAhead(4 << 10);
    List<List<String>> ref = rows(base.withReadAhead(0), false);
    for (int round = 0; round < 5; round++) {
      Permutation<ArrowBatch> p = base.withCache(CacheOptions.disk(cacheDir, 1L << 30));
      Permutation<ArrowBatch> copy = p.withBatchSize(16); // shares p's cache, not its iterators
      p.fillCache();
      List<List<String>> got = new ArrayList<>();
      try (BatchIterator<ArrowBatch> own = p.iter(16, false);
          BatchIterator<ArrowBatch> it = copy.iter(16, false)) {
        own.next().close();
        try (ArrowBatch b = it.next()) {
          got.addAll(VariableLengthPlannerTest.rowsOf(b.root(), ALL));
        }
        p.close(); // both are reading windows ahead from the mapped files now
        assertThat(own.hasNext()).as("closed with the handle that made it").isFalse();
        assertThatThrownBy(own::next)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("closed");
        while (it.hasNext()) {
          try (ArrowBatch b = it.next()) {
            got.addAll(VariableLengthPlannerTest.rowsOf(b.root(), ALL));
          }
        }
        assertThat(got).as("round %d", round).isEqualTo(ref); // the rest read from the source
      } catch (IllegalStateException e) {
        assertThat(e).hasMessageContaining("closed"); // or a clean refusal
      }
      copy.close();
      assertThat(DiskColumnCache.live()).isZero();
    }
  }

  @Test
  void aCachedPermutationDroppedWithoutCloseReleasesItsFilesWhenUnreachable() throws Exception {
    long[] addrs = shuffled(allIds(), 6);
    Permutation<ArrowBatch> base = permutation(table, addrs, ALL, 32);
    List<List<String>> ref = rows(base.withReadAhead(0), false);
    dropAfterOneEpoch(base, ref);
    for (int i = 0; i < 200 && DiskColumnCache.live() != 0; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(DiskColumnCache.live()).as("released by the cleaner").isZero();
  }

  /** Reads one cached epoch with a for-each left by break, then drops the handle unclosed. */
  private void dropAfterOneEpoch(Permutation<ArrowBatch> base, List<List<String>> ref) {
    Permutation<ArrowBatch> p = base.withCache(CacheOptions.disk(cacheDir, 1L << 30));
    assertThat(rows(p, true)).isEqualTo(ref);
    for (ArrowBatch b : p) {
      b.close();
      break;
    }
  }

  @Test
  void anUnusableDirectoryReadsFromTheSource() throws Exception {
    Path file = dir.resolve("not-a-directory");
    Files.write(file, new byte[] {1});
    long[] addrs = shuffled(allIds(), 2);
    Permutation<ArrowBatch> base = permutation(table, addrs, ALL, 64);
    List<List<String>> ref = rows(base.withReadAhead(0), false);
    try (Permutation<ArrowBatch> p =
        base.withCache(CacheOptions.disk(file.resolve("cache"), 1L << 30)).reopen()) {
      assertThat(rows(p, true)).isEqualTo(ref);
      p.fillCache();
      assertThat(p.cacheStats().diskOff()).isTrue();
      assertThat(p.cacheStats().rowsServed()).isZero();
      assertThat(rows(p, true)).isEqualTo(ref);
    }
  }

  @Test
  void optionsAreCheckedAndTravelWithThePermutation() throws Exception {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CacheOptions.disk(cacheDir, -1))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CacheOptions.disk(cacheDir, 1).memory(-5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(CacheOptions.defaultDirectory(Map.of("LANCETORCH_CACHE_DIR", "/x/y"), "/home/u"))
        .isEqualTo(Path.of("/x/y"));
    assertThat(CacheOptions.defaultDirectory(Map.of("XDG_CACHE_HOME", "/c"), "/home/u"))
        .isEqualTo(Path.of("/c/lance-torch"));
    assertThat(CacheOptions.defaultDirectory(Map.of(), "/home/u"))
        .isEqualTo(Path.of("/home/u/.cache/lance-torch"));
    CacheOptions opts = CacheOptions.disk(cacheDir, 1L << 20).memory(1 << 10);
    Permutation<ArrowBatch> p = permutation(table, shuffled(allIds(), 1), ALL, 64).withCache(opts);
    assertThat(p.cacheOptions()).isEqualTo(opts);
    assertThat(p.withMemoryCache(0).cacheOptions())
        .isEqualTo(CacheOptions.disk(cacheDir, 1L << 20));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(p);
    }
    try (java.io.ObjectInputStream in =
            new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()));
        Permutation<?> back = (Permutation<?>) in.readObject()) {
      assertThat(back.cacheOptions()).isEqualTo(opts);
    }
  }

  /**
   * Epoch 1 takes its first batch; every later window waits for the fills of the fragments it
   * touches (which read them anyway) and is gathered from the files. Here the windows are small and
   * the rows wide, where the planner alone would take each window's rows (a second read of them
   * beside the fills).
   */
  @Test
  void epochOneTakesOnlyItsFirstBatchAndWaitsForTheFills() {
    int frags = 2;
    int per = 40_000;
    Table wide;
    try (VectorSchemaRoot first = DiskCacheReadMain.rows(allocator, 0, per)) {
      wide = db.createTable("wide", first);
    }
    for (int f = 1; f < frags; f++) {
      try (VectorSchemaRoot more = DiskCacheReadMain.rows(allocator, f * per, per)) {
        wide.add(more);
      }
    }
    List<Long> ids = new ArrayList<>();
    for (long i = 0; i < (long) frags * per; i++) {
      ids.add(i);
    }
    java.util.Collections.shuffle(ids, new java.util.Random(11));
    long[] addrs = ids.stream().mapToLong(i -> ((i / per) << 32) | (i % per)).toArray();
    int batch = 100;
    try (wide;
        Permutation<ArrowBatch> p =
            Permutation.create(wide, x -> RowSelection.addresses(addrs))
                .selectColumns("id", "vec")
                .withBatchSize(batch)
                .withReadAhead(64 << 10)
                .withCache(CacheOptions.disk(cacheDir, 1L << 30));
        BatchIterator<ArrowBatch> it = p.iter(batch, false)) {
      int at = 0;
      while (it.hasNext()) {
        try (ArrowBatch b = it.next()) {
          org.apache.arrow.vector.BigIntVector id =
              (org.apache.arrow.vector.BigIntVector) b.root().getVector("id");
          org.apache.arrow.vector.complex.FixedSizeListVector vec =
              (org.apache.arrow.vector.complex.FixedSizeListVector) b.root().getVector("vec");
          org.apache.arrow.vector.Float4Vector items =
              (org.apache.arrow.vector.Float4Vector) vec.getDataVector();
          for (int i = 0; i < b.numRows(); i++, at++) {
            long want = ids.get(at);
            assertThat(id.get(i)).isEqualTo(want);
            assertThat(items.get(i * 16)).isEqualTo(want * 0.25f);
            assertThat(items.get(i * 16 + 15)).isEqualTo(want * 0.25f + 15);
          }
        }
      }
      assertThat(at).isEqualTo(frags * per);
      WindowReader.Stats st = it.readStats();
      assertThat(st.windows).as("several windows").isGreaterThan(3);
      assertThat(st.takes)
          .as("only the first batch's rows taken: %s", st)
          .isLessThanOrEqualTo(frags);
      assertThat(p.cacheStats().rowsServed()).isEqualTo((long) frags * per - batch);
    }
  }

  static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
