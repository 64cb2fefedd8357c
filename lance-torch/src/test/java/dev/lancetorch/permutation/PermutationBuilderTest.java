package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

class PermutationBuilderTest extends TableFixture {
  static final int FRAGS = 4;
  static final int PER = 250;
  static final int N = FRAGS * PER;

  PermutationBuilderTest() {
    super(FRAGS, PER);
  }

  /** Row ids (the "id" column) of every split, in permutation order. */
  static List<List<Long>> splits(Permutations ps) {
    List<List<Long>> out = new ArrayList<>();
    for (int k = 0; k < ps.numSplits(); k++) {
      List<Long> ids = new ArrayList<>();
      try (BatchIterator<ArrowBatch> it = ps.split(k).selectColumns("id").iter(97, false)) {
        it.forEachRemaining(
            b -> {
              try (b) {
                BigIntVector v = (BigIntVector) b.column("id");
                for (int i = 0; i < b.numRows(); i++) {
                  ids.add(v.get(i));
                }
              }
            });
      }
      out.add(ids);
    }
    return out;
  }

  static List<List<Long>> splitsOf(Table base, Table perm) {
    return splits(Permutations.of(base, perm));
  }

  static void assertDisjointCover(List<List<Long>> splits, int expectedTotal, boolean exactlyOnce) {
    Set<Long> seen = new HashSet<>();
    int total = 0;
    for (List<Long> s : splits) {
      for (Long id : s) {
        assertThat(seen.add(id)).as("row %d in two splits", id).isTrue();
        total++;
      }
    }
    if (exactlyOnce) {
      assertThat(total).isEqualTo(expectedTotal);
    }
  }

  static boolean isSorted(List<Long> l) {
    for (int i = 1; i < l.size(); i++) {
      if (l.get(i) < l.get(i - 1)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void defaultIsOneSplitInStorageOrder() {
    try (Table perm = Permutation.builder(table).execute()) {
      List<List<Long>> s = splitsOf(table, perm);
      assertThat(s).hasSize(1);
      assertThat(s.get(0)).isEqualTo(PermutationTest.range(0, N));
      assertThat(Permutations.firstSplitRows(perm)).isEqualTo(N);
    }
  }

  @Test
  void countsAreExactAndRandomSplitsKeepTheirShuffledOrderWithoutShuffle() {
    // as LanceDB: a random split shuffles all rows with its seed and cuts the shuffled sequence
    try (Table perm =
        Permutation.builder(table)
            .splitRandom(SplitSizes.counts(600, 300), 42, List.of("train", "test"))
            .execute()) {
      List<List<Long>> s = splitsOf(table, perm);
      assertThat(s.get(0)).hasSize(600);
      assertThat(s.get(1)).hasSize(300);
      assertThat(isSorted(s.get(0))).isFalse();
      assertDisjointCover(s, 900, false);
      assertThat(Permutations.of(table, perm).splitNames()).containsExactly("train", "test");
      // split 0's array is presized to its own rows, not to the whole table's
      assertThat(Permutations.firstSplitRows(perm)).isEqualTo(600);
      // random: not simply the first 600 rows
      assertThat(s.get(0)).isNotEqualTo(PermutationTest.range(0, 600));
    }
  }

  @Test
  void ratiosRoundingRule() {
    // 1000 rows, ratios summing to 1: floor(333.3)=333 each + leftover 1 to split 0
    List<List<Long>> s =
        splits(
            Permutation.builder(table)
                .splitSequential(SplitSizes.ratios(1 / 3.0, 1 / 3.0, 1 / 3.0))
                .toPermutations());
    assertThat(s.stream().map(List::size)).containsExactly(334, 333, 333);
    assertThat(s.get(0)).isEqualTo(PermutationTest.range(0, 334));
    assertThat(s.get(2)).isEqualTo(PermutationTest.range(667, N));
    // ratios summing to < 1 leave rows out
    List<List<Long>> t =
        splits(
            Permutation.builder(table)
                .splitSequential(SplitSizes.ratios(0.25, 0.5))
                .toPermutations());
    assertThat(t.stream().map(List::size)).containsExactly(250, 500);
    // fixed(N): n / N rows each, the remainder dropped (LanceDB)
    List<List<Long>> f =
        splits(Permutation.builder(table).splitRandom(SplitSizes.fixed(3), 1).toPermutations());
    assertThat(f.stream().map(List::size)).containsExactly(333, 333, 333);
    assertDisjointCover(f, 999, true);
    // rounding half away from zero, then fixed up to n: 0.5005 * 1000 = 500.5 -> 501, 0.4995 -> 500
    // (sum 1001 -> 500, 500)
    List<List<Long>> h =
        splits(
            Permutation.builder(table)
                .splitSequential(SplitSizes.ratios(0.5005, 0.4995))
                .toPermutations());
    assertThat(h.stream().map(List::size)).containsExactly(500, 500);
    // a ratio below one row is an error, as in LanceDB
    assertThatThrownBy(
            () ->
                Permutation.builder(table)
                    .splitSequential(SplitSizes.ratios(0.9995, 0.0005))
                    .toPermutations())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rounds to 0 rows");
  }

  @Test
  void seedsReproduceAndDifferentSeedsDiffer() {
    PermutationBuilder b =
        Permutation.builder(table).splitRandom(SplitSizes.ratios(0.8, 0.2), 7).shuffle(3);
    List<List<Long>> one = splits(b.toPermutations());
    List<List<Long>> two;
    try (Table perm = b.execute()) {
      two = splitsOf(table, perm);
    }
    assertThat(two).isEqualTo(one);
    assertThat(
            splits(
                Permutation.builder(table)
                    .splitRandom(SplitSizes.ratios(0.8, 0.2), 8)
                    .shuffle(3)
                    .toPermutations()))
        .isNotEqualTo(one);
    assertThat(
            splits(
                Permutation.builder(table)
                    .splitRandom(SplitSizes.ratios(0.8, 0.2), 7)
                    .shuffle(4)
                    .toPermutations()))
        .isNotEqualTo(one);
    assertDisjointCover(one, N, true);
    assertThat(isSorted(one.get(0))).isFalse();
  }

  @Test
  void clumpShuffleKeepsContiguousRuns() {
    int clump = 16;
    List<Long> order = splits(Permutation.builder(table).shuffle(5, clump).toPermutations()).get(0);
    assertThat(order).hasSize(N).doesNotHaveDuplicates();
    assertThat(isSorted(order)).isFalse();
    // walk the output clump by clump: each starts on a clump boundary of the base table and runs on
    // contiguously
    // (the last base clump is shorter when the clump size does not divide the row count)
    int clumps = 0;
    for (int i = 0; i < N; clumps++) {
      long start = order.get(i);
      assertThat(start % clump).as("clump at output position %d starts on a boundary", i).isZero();
      int len = (int) Math.min(clump, N - start);
      for (int j = 1; j < len; j++) {
        assertThat(order.get(i + j)).isEqualTo(start + j);
      }
      i += len;
    }
    assertThat(clumps).isEqualTo((N + clump - 1) / clump);
  }

  @Test
  void filterAppliesBeforeSplitting() {
    List<List<Long>> s =
        splits(
            Permutation.builder(table)
                .filter("id % 2 = 0")
                .splitSequential(SplitSizes.fixed(2))
                .toPermutations());
    assertThat(s.get(0)).hasSize(250).allMatch(id -> id % 2 == 0);
    assertThat(s.get(1)).hasSize(250).allMatch(id -> id % 2 == 0);
    assertThatThrownBy(() -> Permutation.builder(table).filter("id >>>> 2").toPermutations())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("base");
  }

  @Test
  void calculatedSplitUsesSqlAndNamesBadRows() {
    List<List<Long>> s =
        splits(
            Permutation.builder(table)
                .splitCalculated(
                    "CASE WHEN label = 'train' THEN 0 ELSE 1 END", List.of("train", "other"))
                .toPermutations());
    assertThat(s.get(0)).allMatch(id -> TestTables.label(id).equals("train")).hasSize(334);
    assertThat(s.get(1)).noneMatch(id -> TestTables.label(id).equals("train")).hasSize(666);
    assertThatThrownBy(
            () ->
                Permutation.builder(table)
                    .splitCalculated("id % 3", List.of("a", "b"))
                    .toPermutations())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("333 rows")
        .hasMessageContaining("0:2");
    assertThatThrownBy(
            () ->
                Permutation.builder(table)
                    .splitCalculated("CASE WHEN id < 5 THEN NULL ELSE 0 END", null)
                    .toPermutations())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 rows");
  }

  @Test
  void hashSplitIsStableUnderAppends() {
    PermutationBuilder b =
        Permutation.builder(table).splitHash(List.of("id"), new long[] {3, 1}, 1, null);
    List<List<Long>> before = splits(b.toPermutations());
    assertDisjointCover(before, N, false);
    int kept = before.get(0).size() + before.get(1).size();
    assertThat(kept).isBetween((int) (N * 0.7), (int) (N * 0.9)); // 80% expected
    try (VectorSchemaRoot more = TestTables.rows(allocator, N, 500)) {
      table.add(more);
    }
    List<List<Long>> after =
        splits(
            Permutation.builder(table)
                .splitHash(List.of("id"), new long[] {3, 1}, 1, null)
                .toPermutations());
    Map<Long, Integer> splitOf = new HashMap<>();
    for (int k = 0; k < 2; k++) {
      for (Long id : after.get(k)) {
        splitOf.put(id, k);
      }
    }
    for (int k = 0; k < 2; k++) {
      for (Long id : before.get(k)) {
        assertThat(splitOf.get(id)).as("row %d", id).isEqualTo(k);
      }
    }
    assertThatThrownBy(
            () -> Permutation.builder(table).splitHash(List.of("nope"), new long[] {1}, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
  }

  @Test
  void persistedTableHasTheLanceDbFormat() throws Exception {
    try (Table perm =
        Permutation.builder(table)
            .splitRandom(SplitSizes.counts(10, 5), 1, List.of("a", "b"))
            .shuffle(2)
            .persist(db, "perm")) {
      assertThat(db.tableNames()).contains("perm");
      List<Field> fields = perm.schema().getFields();
      assertThat(fields).extracting(Field::getName).containsExactly("row_id", "split_id");
      assertThat(fields)
          .allSatisfy(f -> assertThat(f.getType()).isEqualTo(new ArrowType.Int(64, false)));
      assertThat(fields.get(0).isNullable()).as("row_id nullable, as LanceDB writes it").isTrue();
      assertThat(fields.get(1).isNullable()).as("split_id not null").isFalse();
      Map<String, String> meta = perm.schema().getCustomMetadata();
      assertThat(meta)
          .containsEntry("split_names", "[\"a\",\"b\"]")
          .containsEntry("base_version", Long.toString(table.version()));
      // stored order: split 0 rows first, in permutation order, equal to what fromTables reads
      List<Long> stored = new ArrayList<>();
      try (ArrowReader r = perm.query().toArrowReader()) {
        while (r.loadNextBatch()) {
          VectorSchemaRoot root = r.getVectorSchemaRoot();
          for (int i = 0; i < root.getRowCount(); i++) {
            stored.add(((org.apache.arrow.vector.UInt8Vector) root.getVector("split_id")).get(i));
          }
        }
      }
      assertThat(stored).hasSize(15).isSorted();
      List<List<Long>> s = splitsOf(table, perm);
      assertThat(s.get(0)).hasSize(10);
      assertThat(s.get(1)).hasSize(5);
      assertThatThrownBy(() -> Permutation.builder(table).persist(db, "perm"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("perm");
    }
  }

  @Test
  void persistStreamsWithoutAShuffleAndHoldsRowsOnlyToShuffle() {
    // maxRows(10) on a 1000-row table: streaming persists need no row in memory; a shuffle needs
    // them all
    PermutationBuilder b =
        builderHolding(10).splitSequential(SplitSizes.ratios(0.5, 0.5), List.of("a", "b"));
    try (Table streamed = b.persist(db, "streamed")) {
      List<List<Long>> s = splitsOf(table, streamed);
      assertThat(s.get(0)).hasSize(500).isSorted();
      assertThat(s.get(1)).hasSize(500).isSorted();
      assertThat(s).isEqualTo(splits(b.maxRows(N).toPermutations())); // same assignment in memory
    }
    assertThatThrownBy(() -> b.shuffle(1).toPermutations())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxRows");
    // a random split shuffles every row (as LanceDB), so it holds them
    assertThatThrownBy(
            () ->
                builderHolding(10)
                    .splitRandom(SplitSizes.ratios(0.5, 0.5), 3)
                    .persist(db, "random"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxRows");
    try (Table filtered =
        builderHolding(10)
            .filter("id < 100")
            .splitHash(List.of("id"), new long[] {1, 1}, 0, null)
            .persist(db, "hashed")) {
      List<List<Long>> s = splitsOf(table, filtered);
      assertThat(s.get(0).size() + s.get(1).size()).isEqualTo(100);
    }
  }

  @Test
  void shufflesBeyondMaxRowsSpillToDisk() {
    PermutationBuilder b =
        builderHolding(100).splitSequential(SplitSizes.counts(700, 300), List.of("train", "test"));
    List<List<Long>> plain = splits(b.maxRows(N).toPermutations());
    try (Table rows = b.shuffle(11).persist(db, "spilled");
        Table again = b.shuffle(11).persist(db, "spilled_again");
        Table clumps = b.shuffle(11, 8).persist(db, "spilled_clumps")) {
      List<List<Long>> s = splitsOf(table, rows);
      for (int k = 0; k < 2; k++) {
        assertThat(s.get(k)).containsExactlyInAnyOrderElementsOf(plain.get(k));
        assertThat(isSorted(s.get(k))).isFalse();
      }
      assertThat(splitsOf(table, again)).isEqualTo(s);
      List<Long> c = splitsOf(table, clumps).get(0);
      assertThat(c).containsExactlyInAnyOrderElementsOf(plain.get(0));
      for (int i = 0;
          i < c.size();
          i += 8) { // 700 rows of split 0 in storage order: clumps of 8 (the last of 4)
        long start = c.get(i);
        assertThat(start % 8).isZero();
        for (int j = 1; j < 8 && i + j < c.size() && start + j < 700; j++) {
          assertThat(c.get(i + j)).isEqualTo(start + j);
        }
        if (start == 696) {
          i -= 4; // the short last clump
        }
      }
    }
  }

  @Test
  void aBadCalculatedSplitCreatesNoTable() {
    assertThatThrownBy(
            () ->
                Permutation.builder(table)
                    .splitCalculated("id % 3", List.of("a", "b"))
                    .persist(db, "bad"))
        .hasMessageContaining("333 rows");
    assertThat(db.tableNames()).doesNotContain("bad");
  }

  @Test
  void buildersAreImmutable() {
    PermutationBuilder a = Permutation.builder(table);
    PermutationBuilder b = a.splitSequential(SplitSizes.fixed(2)).shuffle(1);
    assertThat(splits(a.toPermutations())).hasSize(1);
    assertThat(splits(b.toPermutations())).hasSize(2);
  }

  @Test
  void invalidArgumentsAreRejected() {
    PermutationBuilder b = Permutation.builder(table);
    assertThatThrownBy(() -> SplitSizes.ratios(0.7, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sum");
    assertThatThrownBy(() -> SplitSizes.ratios(-0.1, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.splitSequential(SplitSizes.counts(N, 1)).toPermutations())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(N));
    assertThatThrownBy(() -> SplitSizes.fixed(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.splitRandom(SplitSizes.fixed(2), 1, List.of("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 splits");
    assertThatThrownBy(() -> b.splitRandom(SplitSizes.fixed(2), 1, List.of("a", "a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate");
    assertThatThrownBy(() -> b.shuffle(1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.splitRandom(SplitSizes.fixed(2), 1, 0, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A builder over {@code table} that holds at most {@code maxRows} rows in memory. */
  private PermutationBuilder builderHolding(int maxRows) {
    return Permutation.builder(table).maxRows(maxRows);
  }
}
