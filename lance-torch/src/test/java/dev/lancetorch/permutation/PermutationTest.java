package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Table;
import dev.lancetorch.internal.read.NativeColumnCache;
import dev.lancetorch.internal.read.SharedColumnCaches;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.junit.jupiter.api.Test;

class PermutationTest extends TableFixture {
  static final int FRAGS = 3;
  static final int PER = 250;
  static final int N = FRAGS * PER;

  PermutationTest() {
    super(FRAGS, PER);
  }

  /** Ids of every batch, checking every column against the id. */
  static List<Long> ids(Iterable<ArrowBatch> batches, List<Integer> sizes) {
    List<Long> out = new ArrayList<>();
    for (ArrowBatch b : batches) {
      try (b) {
        sizes.add(b.numRows());
        BigIntVector id = (BigIntVector) b.column("id");
        for (int i = 0; i < b.numRows(); i++) {
          long r = id.get(i);
          out.add(r);
          if (b.columnNames().contains("x")) {
            assertThat(((Float4Vector) b.column("x")).get(i)).isEqualTo(TestTables.x(r));
          }
          if (b.columnNames().contains("vec")) {
            FixedSizeListVector v = (FixedSizeListVector) b.column("vec");
            Float4Vector items = (Float4Vector) v.getDataVector();
            for (int j = 0; j < TestTables.DIM; j++) {
              assertThat(items.get(i * TestTables.DIM + j)).isEqualTo(TestTables.vec(r, j));
            }
          }
        }
      }
    }
    return out;
  }

  static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  @Test
  void identityReadsStorageOrderInExactBatches() {
    Permutation<ArrowBatch> p = Permutation.identity(table);
    assertThat(p.numRows()).isEqualTo(N);
    assertThat(p.columnNames()).containsExactly("id", "x", "label", "vec");
    List<Integer> sizes = new ArrayList<>();
    // 100 does not divide 250: batches cross fragment boundaries; the last partial batch (50 rows)
    // is skipped.
    assertThat(ids(p, sizes)).isEqualTo(range(0, 700));
    assertThat(sizes).allMatch(s -> s == 100).hasSize(7);
    sizes.clear();
    try (BatchIterator<ArrowBatch> it = p.iter(64, false)) {
      assertThat(ids(() -> it, sizes)).isEqualTo(range(0, N));
    }
    assertThat(sizes.get(sizes.size() - 1)).isEqualTo(N % 64);
  }

  @Test
  void skipAndTakeWindows() {
    Permutation<ArrowBatch> p =
        Permutation.identity(table).withSkip(120).withTake(300).withBatchSize(50);
    assertThat(p.numRows()).isEqualTo(300);
    assertThat(ids(p, new ArrayList<>())).isEqualTo(range(120, 420));
    assertThat(Permutation.identity(table).withTake(0).numRows()).isZero();
    assertThat(Permutation.identity(table).withSkip(N).numRows()).isZero();
    // as LanceDB: skip and take are absolute (not cumulative) ...
    Permutation<ArrowBatch> one = Permutation.identity(table).withBatchSize(1);
    assertThat(ids(one.withSkip(10).withSkip(20).withTake(5), new ArrayList<>()))
        .isEqualTo(range(20, 25));
    assertThat(ids(one.withTake(100).withSkip(100), new ArrayList<>())).isEqualTo(range(100, 200));
    assertThat(ids(one.withTake(100).withTake(7), new ArrayList<>())).isEqualTo(range(0, 7));
    // ... and out of range is an error, with LanceDB's rules
    assertThatThrownBy(() -> Permutation.identity(table).withSkip(N + 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Offset is greater");
    assertThatThrownBy(() -> Permutation.identity(table).withTake(N + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Limit is greater");
    assertThatThrownBy(() -> Permutation.identity(table).withSkip(N - 10).withTake(11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Offset + limit");
  }

  @Test
  void handBuiltPermutationTableReadsBackInStoredOrder() {
    // split "a": every row in reverse order; split "b": fragments interleaved, scattered through
    // the file
    List<Long> a = new ArrayList<>();
    List<Long> b = new ArrayList<>();
    List<long[]> pairs = new ArrayList<>();
    for (long id = N - 1; id >= 0; id -= 2) {
      a.add(id);
    }
    for (int k = 0; k < PER; k += 3) {
      for (int f = FRAGS - 1; f >= 0; f--) {
        long id = (long) f * PER + k;
        if (!a.contains(id)) {
          b.add(id);
        }
      }
    }
    // store the two splits interleaved row by row
    int ia = 0;
    int ib = 0;
    while (ia < a.size() || ib < b.size()) {
      if (ia < a.size()) {
        pairs.add(new long[] {addr(a.get(ia++)), 0});
      }
      if (ib < b.size()) {
        pairs.add(new long[] {addr(b.get(ib++)), 1});
      }
    }
    long[] rowIds = pairs.stream().mapToLong(x -> x[0]).toArray();
    long[] splitIds = pairs.stream().mapToLong(x -> x[1]).toArray();
    try (Table perm =
        TestTables.permutationTable(db, "perm", rowIds, splitIds, List.of("a", "b"))) {
      Permutations splits = Permutations.of(table, perm);
      assertThat(splits.splitNames()).containsExactly("a", "b");
      assertThat(ids(Permutation.fromTables(table, perm, "a").withBatchSize(7), new ArrayList<>()))
          .isEqualTo(a.subList(0, a.size() - a.size() % 7));
      try (BatchIterator<ArrowBatch> it = Permutation.fromTables(table, perm, 1).iter(16, false)) {
        assertThat(ids(() -> it, new ArrayList<>())).isEqualTo(b);
      }
      // map-style access through the split order, duplicates and any order
      try (ArrowBatch batch = splits.split("b").takeOffsets(3, 0, 3, b.size() - 1)) {
        BigIntVector id = (BigIntVector) batch.column("id");
        assertThat(List.of(id.get(0), id.get(1), id.get(2), id.get(3)))
            .containsExactly(b.get(3), b.get(0), b.get(3), b.get(b.size() - 1));
      }
      assertThatThrownBy(() -> Permutation.fromTables(table, perm, "nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("nope")
          .hasMessageContaining("a");
      assertThatThrownBy(() -> Permutation.fromTables(table, perm, 2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("2");
    }
  }

  static long addr(long id) {
    return TestTables.address((int) (id / PER), id % PER);
  }

  @Test
  void contiguousRunsOfAPermutationReadLikeTheIdentity() {
    long[] rowIds = LongStream.range(100, 600).map(PermutationTest::addr).toArray();
    try (Table perm =
        TestTables.permutationTable(db, "runs", rowIds, new long[rowIds.length], null)) {
      Permutation<ArrowBatch> p = Permutation.fromTables(table, perm, 0).withBatchSize(50);
      assertThat(ids(p, new ArrayList<>())).isEqualTo(range(100, 600));
    }
  }

  @Test
  void selectRemoveAndRenameColumns() {
    Permutation<ArrowBatch> p =
        Permutation.identity(table).selectColumns("vec", "id").renameColumn("vec", "v");
    assertThat(p.columnNames()).containsExactly("v", "id");
    assertThat(p.schema().getFields().get(0).getName()).isEqualTo("v");
    try (ArrowBatch b = p.takeOffsets(5)) {
      assertThat(b.columnNames()).containsExactly("v", "id");
      assertThat(((BigIntVector) b.column("id")).get(0)).isEqualTo(5);
    }
    assertThat(Permutation.identity(table).removeColumns("label", "vec").columnNames())
        .containsExactly("id", "x");
    assertThat(p.selectColumns("id").columnNames()).containsExactly("id");
    // as LanceDB: selectColumns refines; a removed column cannot come back
    assertThatThrownBy(
            () -> Permutation.identity(table).removeColumns("label").selectColumns("id", "label"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Cannot select column `label`");
    assertThatThrownBy(() -> p.selectColumns("vec"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("`vec`"); // renamed to v
    try (ArrowBatch b =
        Permutation.identity(table).selectColumns("_rowid", "id").takeOffsets(PER + 3)) {
      assertThat(((org.apache.arrow.vector.UInt8Vector) b.column("_rowid")).get(0))
          .isEqualTo(addr(PER + 3));
    }
    try (BatchIterator<ArrowBatch> it =
        Permutation.identity(table).selectColumns("id", "_rowid").iter(300, false)) {
      while (it.hasNext()) {
        try (ArrowBatch b = it.next()) {
          for (int i = 0; i < b.numRows(); i++) {
            long id = ((BigIntVector) b.column("id")).get(i);
            assertThat(((org.apache.arrow.vector.UInt8Vector) b.column("_rowid")).get(i))
                .isEqualTo(addr(id));
          }
        }
      }
    }
  }

  @Test
  void rowsAndColumnsFormatsEqualArrowValues() {
    Permutation<ArrowBatch> p = Permutation.identity(table).withSkip(240).withTake(20);
    List<Map<String, Object>> rows = p.withFormat(Format.ROWS).takeOffsets(0, 19);
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0)).containsEntry("id", 240L).containsEntry("x", TestTables.x(240));
    assertThat(rows.get(1).get("label"))
        .isEqualTo(TestTables.label(259)); // a String, not Arrow's Text
    assertThat(rows.get(1).get("vec"))
        .isEqualTo(
            List.of(
                TestTables.vec(259, 0),
                TestTables.vec(259, 1),
                TestTables.vec(259, 2),
                TestTables.vec(259, 3)));
    Map<String, List<Object>> cols = p.withFormat(Format.COLUMNS).takeOffsets(1, 2, 3);
    assertThat(cols.get("id")).containsExactly(241L, 242L, 243L);
    assertThat(cols.keySet()).containsExactly("id", "x", "label", "vec");
  }

  @Test
  void transformSeesTheBatchAndItIsClosedAfter() {
    Permutation<Long> sums =
        Permutation.identity(table)
            .selectColumns("id")
            .withTransform(
                b -> {
                  long s = 0;
                  BigIntVector id = (BigIntVector) b.column("id");
                  for (int i = 0; i < b.numRows(); i++) {
                    s += id.get(i);
                  }
                  return s;
                })
            .withBatchSize(N);
    List<Long> got = new ArrayList<>();
    sums.forEach(got::add);
    assertThat(got).containsExactly((long) N * (N - 1) / 2);
  }

  @Test
  void serializedPermutationReadsTheSameRowsInAnotherThread() throws Exception {
    long[] rowIds = LongStream.range(0, N).map(i -> addr((i * 7) % N)).toArray();
    try (Table perm = TestTables.permutationTable(db, "p7", rowIds, new long[N], null)) {
      Permutation<ArrowBatch> p =
          Permutation.fromTables(table, perm, 0).selectColumns("id", "vec").withBatchSize(64);
      List<Long> expected = ids(p, new ArrayList<>());
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(p);
      }
      List<Long> got =
          CompletableFuture.supplyAsync(
                  () -> {
                    try (ObjectInputStream in =
                        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                      @SuppressWarnings("unchecked")
                      Permutation<ArrowBatch> copy = (Permutation<ArrowBatch>) in.readObject();
                      try (copy) {
                        assertThat(copy.columnNames()).containsExactly("id", "vec");
                        return ids(copy, new ArrayList<>());
                      }
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                  })
              .get();
      assertThat(got).isEqualTo(expected).hasSize(N - N % 64);
      try (Permutation<ArrowBatch> r = p.reopen()) {
        assertThat(ids(r, new ArrayList<>())).isEqualTo(expected);
      }
    }
  }

  @Test
  void memoryCacheGathersTheSameRowsAsTakes() {
    long[] rowIds = LongStream.range(0, N).map(i -> addr((i * 11 + 5) % N)).toArray();
    try (Table perm = TestTables.permutationTable(db, "p11", rowIds, new long[N], null)) {
      Permutation<ArrowBatch> plain = Permutation.fromTables(table, perm, 0).withBatchSize(33);
      List<Long> expected = ids(plain, new ArrayList<>());
      List<Map<String, Object>> expectedRows =
          plain.withFormat(Format.ROWS).takeOffsets(0, 1, 700, 3);
      try (Permutation<ArrowBatch> cached = plain.withMemoryCache(64 << 20)) {
        assertThat(ids(cached, new ArrayList<>()))
            .isEqualTo(expected); // checks x and vec per row too
        assertThat(cached.memoryCacheBytes()).isGreaterThan((long) N * (8 + 4 + 16));
        assertThat(cached.withFormat(Format.ROWS).takeOffsets(0, 1, 700, 3))
            .isEqualTo(expectedRows);
        try (ArrowBatch b = cached.selectColumns("_rowid", "label").takeOffsets(2, 2)) {
          assertThat(((org.apache.arrow.vector.UInt8Vector) b.column("_rowid")).get(1))
              .isEqualTo(rowIds[2]);
          assertThat(b.column("label").getObject(0).toString())
              .isEqualTo(TestTables.label((2 * 11 + 5) % N));
        }
        assertThatThrownBy(() -> Permutation.identity(table).withMemoryCache(-1))
            .isInstanceOf(IllegalArgumentException.class);
      }
      try (Permutation<ArrowBatch> tooSmall = plain.withMemoryCache(1000)) {
        assertThat(ids(tooSmall, new ArrayList<>())).isEqualTo(expected);
        assertThat(tooSmall.memoryCacheBytes()).isZero();
      }
      try (Permutation<ArrowBatch> identity =
              Permutation.identity(table).withMemoryCache(64 << 20);
          ArrowBatch b = identity.takeOffsets(N - 1, 0, PER)) {
        BigIntVector id = (BigIntVector) b.column("id");
        assertThat(List.of(id.get(0), id.get(1), id.get(2)))
            .containsExactly((long) N - 1, 0L, (long) PER);
      }
    }
  }

  @Test
  void handlesOverTheSameTableVersionShareOneMemoryCache() {
    long[] rowIds = LongStream.range(0, N).map(i -> addr((i * 11 + 5) % N)).toArray();
    try (Table perm = TestTables.permutationTable(db, "shared", rowIds, new long[N], null)) {
      Permutation<ArrowBatch> p =
          Permutation.fromTables(table, perm, 0)
              .selectColumns("id", "vec")
              .withMemoryCache(64 << 20);
      List<Long> expected =
          ids(Permutation.fromTables(table, perm, 0).selectColumns("id", "vec"), new ArrayList<>());
      int before = SharedColumnCaches.live();
      try (Permutation<ArrowBatch> w1 = p.reopen();
          Permutation<ArrowBatch> w2 = p.reopen()) {
        assertThat(ids(w1, new ArrayList<>())).isEqualTo(expected);
        assertThat(ids(w2, new ArrayList<>())).isEqualTo(expected);
        assertThat(SharedColumnCaches.live()).isEqualTo(before + 1); // loaded once for both handles
        assertThat(w1.memoryCacheBytes()).isEqualTo(w2.memoryCacheBytes()).isPositive();
        assertThat(NativeColumnCache.liveBytes())
            .isEqualTo(w1.memoryCacheBytes()); // one native copy
        assertThat(w1.memoryCacheBytes())
            .isEqualTo((long) N * (8 + 16)); // id: int64, vec: 4 x f32, no nulls
        w1.close();
        assertThat(SharedColumnCaches.live()).isEqualTo(before + 1); // w2 still uses it
        assertThat(ids(w2, new ArrayList<>())).isEqualTo(expected);
      }
      p.close();
      assertThat(SharedColumnCaches.live()).isEqualTo(before);
      assertThat(SharedColumnCaches.ALLOCATOR.getAllocatedMemory()).isZero();
      assertThat(NativeColumnCache.liveBytes()).isZero();
    }
  }

  @Test
  void filterKeepsMatchingRowsInPermutationOrder() {
    assertThat(
            ids(
                Permutation.identity(table).withSkip(100).filter("id % 10 = 3").withBatchSize(7),
                new ArrayList<>()))
        .isEqualTo(
            LongStream.range(100, N).filter(i -> i % 10 == 3).boxed().toList().subList(0, 63));
    long[] rowIds = LongStream.range(0, N).map(i -> addr((i * 7) % N)).toArray();
    try (Table perm = TestTables.permutationTable(db, "pf", rowIds, new long[N], null)) {
      List<Long> expected =
          LongStream.range(0, N)
              .map(i -> (i * 7) % N)
              .filter(i -> TestTables.label(i).equals("val"))
              .boxed()
              .toList();
      Permutation<ArrowBatch> p = Permutation.fromTables(table, perm, 0).filter("label = 'val'");
      assertThat(p.numRows()).isEqualTo(expected.size());
      try (BatchIterator<ArrowBatch> it = p.iter(64, false)) {
        assertThat(ids(() -> it, new ArrayList<>())).isEqualTo(expected);
      }
    }
    assertThatThrownBy(() -> Permutation.identity(table).filter("nope > 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
  }

  @Test
  void errorsAreClear() {
    Permutation<ArrowBatch> p = Permutation.identity(table);
    assertThatThrownBy(() -> p.selectColumns("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> p.renameColumn("nope", "x2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> p.renameColumn("x", "id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id");
    assertThatThrownBy(() -> p.removeColumns("id", "x", "label", "vec"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("every column");
    assertThatThrownBy(() -> p.withBatchSize(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.withSkip(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.withTake(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> p.takeOffsets(N))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining(String.valueOf(N));
    assertThatThrownBy(() -> Permutation.fromTables(table, null, "train"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no permutation table");
    assertThatThrownBy(() -> Permutation.fromTables(table, table, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row_id");
    ArrowBatch b = p.takeOffsets(1);
    b.close();
    b.close();
    assertThatThrownBy(b::numRows).isInstanceOf(IllegalStateException.class);
  }
}
