package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lance.Dataset;

class TakeTest {
  @TempDir Path dir;
  BufferAllocator allocator;
  Connection db;
  Table table;

  /** 1000 rows in 10 fragments written with the SDK, then 50 appended rows (an 11th fragment). */
  @BeforeEach
  void open() {
    allocator = new RootAllocator();
    try (VectorSchemaRoot root = TestData.rows(allocator, 0, 1000);
        Dataset ds =
            TestData.sdkCreate(allocator, root, dir.resolve("t.lance"))
                .maxRowsPerFile(100)
                .execute()) {
      assertThat(ds.getFragments()).hasSize(10);
    }
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
    table = db.openTable("t");
    try (VectorSchemaRoot more = TestData.rows(allocator, 1000, 50)) {
      table.add(more);
    }
  }

  @AfterEach
  void close() {
    table.close();
    db.close();
    allocator.close();
  }

  private static void assertRows(VectorSchemaRoot got, long[] expectedIds) {
    assertThat(got.getRowCount()).isEqualTo(expectedIds.length);
    BigIntVector id = (BigIntVector) got.getVector("id");
    Float8Vector val = (Float8Vector) got.getVector("val");
    VarCharVector name = (VarCharVector) got.getVector("name");
    for (int i = 0; i < expectedIds.length; i++) {
      assertThat(id.get(i)).as("row %d", i).isEqualTo(expectedIds[i]);
      assertThat(val.get(i)).isEqualTo(expectedIds[i] * 0.5);
      assertThat(name.getObject(i).toString()).isEqualTo("r" + expectedIds[i]);
    }
  }

  @Test
  void fragmentsInStorageOrder() {
    List<FragmentInfo> f = table.fragments();
    assertThat(f).hasSize(11);
    assertThat(f.stream().mapToLong(FragmentInfo::numRows).sum()).isEqualTo(1050);
    assertThat(f.get(0))
        .extracting(FragmentInfo::id, FragmentInfo::numRows, FragmentInfo::physicalRows)
        .containsExactly(0, 100L, 100L);
    assertThat(f.get(10).numRows()).isEqualTo(50);
  }

  @Test
  void randomPermutationWithDuplicatesAcrossFragmentsComesBackInRequestOrder() {
    Random rnd = new Random(42);
    long[] offsets = new long[700];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = rnd.nextInt(1050);
    }
    offsets[1] = offsets[0]; // guaranteed duplicate, adjacent
    offsets[699] = offsets[0]; // and far away
    try (VectorSchemaRoot got = table.takeOffsets(offsets, null)) {
      assertRows(got, offsets); // ids equal offsets in this table
    }
    // a full reversed permutation
    long[] rev = new long[1050];
    for (int i = 0; i < rev.length; i++) {
      rev[i] = 1049 - i;
    }
    try (VectorSchemaRoot got = table.takeOffsets(rev, List.of("name", "id", "val"))) {
      assertRows(got, rev);
    }
  }

  @Test
  void takeWithProjectionAndOwnAllocator() {
    try (BufferAllocator child = allocator.newChildAllocator("take", 0, Long.MAX_VALUE)) {
      try (VectorSchemaRoot got = table.takeOffsets(new long[] {5, 3}, List.of("name"), child)) {
        assertThat(got.getSchema().getFields()).hasSize(1);
        assertThat(got.getVector("name").getObject(0).toString()).isEqualTo("r5");
        assertThat(got.getVector("name").getObject(1).toString()).isEqualTo("r3");
        assertThat(child.getAllocatedMemory()).isPositive();
      }
    }
    try (VectorSchemaRoot empty = table.takeOffsets(new long[0], List.of("id"))) {
      assertThat(empty.getRowCount()).isZero();
      assertThat(empty.getSchema().getFields()).hasSize(1);
    }
  }

  @Test
  void takeRowIdsFromAScanInShuffledOrder() throws Exception {
    List<Long> rowIds = new ArrayList<>();
    List<Long> ids = new ArrayList<>();
    try (ArrowReader r = table.query().select("id").withRowId(true).toArrowReader()) {
      while (r.loadNextBatch()) {
        UInt8Vector rid = (UInt8Vector) r.getVectorSchemaRoot().getVector("_rowid");
        BigIntVector id = (BigIntVector) r.getVectorSchemaRoot().getVector("id");
        for (int i = 0; i < id.getValueCount(); i++) {
          rowIds.add(rid.get(i));
          ids.add(id.get(i));
        }
      }
    }
    assertThat(rowIds).hasSize(1050);
    assertThat(rowIds.get(150)).isEqualTo((1L << 32) | 50); // fragment 1, row 50
    Random rnd = new Random(7);
    long[] req = new long[500];
    long[] expect = new long[500];
    for (int i = 0; i < req.length; i++) {
      int k = rnd.nextInt(1050);
      req[i] = rowIds.get(k);
      expect[i] = ids.get(k);
    }
    req[10] = req[3];
    expect[10] = expect[3];
    try (VectorSchemaRoot got = table.takeRowIds(req, null)) {
      assertRows(got, expect);
    }
  }

  @Test
  void outOfRangeIsCheckedBeforeLance() {
    assertThatThrownBy(() -> table.takeOffsets(new long[] {0, 1050}, null))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("1050")
        .hasMessageContaining("'t'");
    assertThatThrownBy(() -> table.takeOffsets(new long[] {-1}, null))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> table.takeRowIds(new long[] {100}, null)) // fragment 0 has 100 rows
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("row id 100");
    assertThatThrownBy(() -> table.takeRowIds(new long[] {99L << 32}, null))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> table.takeRowIds(new long[] {-5}, null))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> table.takeOffsets(new long[] {1}, List.of("nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining("'t'");
  }

  /**
   * Measures take of 1024 random rows from a 1M-row table (printed; asserted only for correctness).
   */
  @Test
  void takeFromAMillionRows() {
    int n = 1_000_000;
    try (Table big = db.createEmptyTable("big", TestData.SCHEMA)) {
      for (int start = 0; start < n; start += 250_000) {
        try (VectorSchemaRoot part = TestData.rows(allocator, start, 250_000)) {
          big.add(part);
        }
      }
      assertThat(big.countRows()).isEqualTo(n);
      Random rnd = new Random(1);
      long best = Long.MAX_VALUE;
      for (int rep = 0; rep < 5; rep++) {
        long[] req = new long[1024];
        for (int i = 0; i < req.length; i++) {
          req[i] = rnd.nextInt(n);
        }
        long t0 = System.nanoTime();
        try (VectorSchemaRoot got = big.takeOffsets(req, null)) {
          best = Math.min(best, System.nanoTime() - t0);
          assertRows(got, req);
        }
      }
      System.out.printf(
          "take 1024 random rows of 1M (id,val,name), best of 5: %.2f ms%n", best / 1e6);
      long t0 = System.nanoTime();
      long scanned = 0;
      try (ArrowReader r = big.query().select("id", "val").toArrowReader()) {
        while (r.loadNextBatch()) {
          scanned += r.getVectorSchemaRoot().getRowCount();
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      assertThat(scanned).isEqualTo(n);
      System.out.printf("full scan of 1M rows (id,val): %.1f ms%n", (System.nanoTime() - t0) / 1e6);
    }
  }

  @Test
  void offsetsCountLiveRowsAfterDeletes() throws Exception {
    try (Dataset other =
        Dataset.open(allocator, table.uri(), new org.lance.ReadOptions.Builder().build())) {
      other.delete("id % 7 = 0");
    }
    List<Long> live = new ArrayList<>();
    for (long i = 0; i < 1050; i++) {
      if (i % 7 != 0) {
        live.add(i);
      }
    }
    assertThat(table.countRows()).isEqualTo(1050); // this table stays on its snapshot
    try (Table latest = table.checkoutLatest()) {
      assertThat(latest.countRows()).isEqualTo(live.size());
      assertThat(latest.fragments().get(0))
          .extracting(FragmentInfo::id, FragmentInfo::numRows, FragmentInfo::physicalRows)
          .containsExactly(0, 85L, 100L);
      Random rnd = new Random(3);
      long[] offsets = new long[300];
      long[] expect = new long[300];
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = rnd.nextInt(live.size());
        expect[i] = live.get((int) offsets[i]);
      }
      try (VectorSchemaRoot got = latest.takeOffsets(offsets, null)) {
        assertRows(got, expect);
      }
      assertThatThrownBy(() -> latest.takeOffsets(new long[] {live.size()}, null))
          .isInstanceOf(IndexOutOfBoundsException.class);
      // row id of a deleted row (fragment 0, row 7): Lance returns nothing for it -> clear error,
      // no leak
      assertThatThrownBy(() -> latest.takeRowIds(new long[] {1, 7}, null))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'t'");
    }
  }

  /**
   * Deletes + compaction rewrite fragments 0 and 1 into a new fragment; offsets follow scan order.
   */
  @Test
  void offsetsFollowStorageOrderAfterCompaction() {
    try (Dataset other =
        Dataset.open(allocator, table.uri(), new org.lance.ReadOptions.Builder().build())) {
      other.delete("id < 190 AND id % 10 != 0");
      other.compact(
          org.lance.compaction.CompactionOptions.builder()
              .withTargetRowsPerFragment(100)
              .withMaterializeDeletionsThreshold(0.1f)
              .build());
    }
    try (Table latest = table.checkoutLatest()) {
      List<FragmentInfo> frags = latest.fragments();
      List<Long> expectedLive = new ArrayList<>();
      for (long i = 0; i < 1050; i++) {
        if (i >= 190 || i % 10 == 0) {
          expectedLive.add(i);
        }
      }
      // offsets address rows in storage (scan) order, which compaction may change
      List<Long> live = TestData.ids(latest.query().toArrowReader());
      assertThat(live).containsExactlyInAnyOrderElementsOf(expectedLive);
      assertThat(latest.countRows()).isEqualTo(live.size());
      assertThat(frags.get(0).id()).isNotZero(); // fragment 0 was rewritten
      long[] offsets = new long[live.size()];
      long[] expect = new long[live.size()];
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = offsets.length - 1 - i;
        expect[i] = live.get((int) offsets[i]);
      }
      try (VectorSchemaRoot got = latest.takeOffsets(offsets, null)) {
        assertRows(got, expect);
      }
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Test
  void sortedUniqueHelperIsNotFooledByDuplicatesOnly() {
    long[] same = new long[64];
    Arrays.fill(same, 777);
    try (VectorSchemaRoot got = table.takeOffsets(same, null)) {
      assertRows(got, same);
    }
  }
}
