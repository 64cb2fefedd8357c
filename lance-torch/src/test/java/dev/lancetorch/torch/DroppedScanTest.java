package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.internal.bridge.UnreleasedMemory;
import java.nio.file.Path;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 item 8: {@link TorchScan}s opened and dropped without {@code close()} kept Lance's
 * read-ahead (a whole small table per scan) for the JVM's lifetime, and {@link
 * BridgeStats#bytesLive()} did not count it, so the back-pressure never fired. Now an open scan is
 * counted (scans and an estimate of its read-ahead) and a dropped one is released by the Cleaner.
 */
class DroppedScanTest {
  static final int ROWS = 20_000;
  static final int D = 8;
  static final long ROW_BYTES = 4 + 4L * D;

  @TempDir Path dir;
  RootAllocator allocator;
  Connection db;
  Table table;
  BridgeStats before;

  /** Collects until no scan is open (scans dropped by earlier tests are released). */
  static void drain() throws InterruptedException {
    for (int i = 0; i < 200 && BridgeStats.snapshot().scansLive() > 0; i++) {
      System.gc();
      Thread.sleep(50);
    }
    assertThat(BridgeStats.snapshot().scansLive()).as("scans left open").isZero();
  }

  @BeforeEach
  void setUp() throws InterruptedException {
    drain();
    before = BridgeStats.snapshot();
    allocator = new RootAllocator();
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
    try (VectorSchemaRoot root =
        Fixtures.root(
            Columns.floats(allocator, "x", ROWS, 0.5f),
            Columns.embeddings(allocator, "emb", ROWS, D))) {
      table = db.createTable("t", root);
    }
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    UnreleasedMemory.limit(UnreleasedMemory.DEFAULT_LIMIT);
    drain(); // a dropped scan's stream struct is the connection's until its Cleaner runs
    table.close();
    db.close();
    allocator.close(); // throws if a dropped scan's stream struct was never released
    Fixtures.assertBalanced(before);
  }

  /** Opens a scan, reads its first batch and drops the scan. */
  private void openAndDrop() {
    TorchScan scan = TorchScan.open(table.query().select("x", "emb").batchSize(1024));
    scan.next().close();
  }

  @Test
  void anOpenScanIsCountedAndADroppedOneIsReleasedByTheCleaner() throws Exception {
    try (TorchScan scan = TorchScan.open(table.query().select("x", "emb").batchSize(1024))) {
      BridgeStats open = BridgeStats.snapshot();
      assertThat(open.scansLive() - before.scansLive()).isEqualTo(1);
      assertThat(open.bytesLive() - before.bytesLive()).isEqualTo(ROWS * ROW_BYTES);
      scan.next().close();
      BridgeStats read = BridgeStats.snapshot();
      assertThat(read.bytesLive() - before.bytesLive())
          .as("the rows not handed out yet")
          .isBetween((ROWS - 1024) * ROW_BYTES, (ROWS - 1024) * (ROW_BYTES + 2));
    }
    assertThat(BridgeStats.snapshot().scansLive()).isEqualTo(before.scansLive());
    assertThat(BridgeStats.snapshot().bytesLive()).isEqualTo(before.bytesLive());

    UnreleasedMemory.limit(0); // no back-pressure: only the Cleaner after an explicit GC
    for (int i = 0; i < 100; i++) {
      openAndDrop();
    }
    assertThat(BridgeStats.snapshot().scansLive() - before.scansLive()).isPositive();
    drain();
    BridgeStats after = BridgeStats.snapshot();
    assertThat(after.scansLive()).as("scans released by the Cleaner").isEqualTo(before.scansLive());
    assertThat(after.bytesLive()).isEqualTo(before.bytesLive());
    assertThat(after.liveBatches()).isEqualTo(before.liveBatches());
  }

  @Test
  void droppedScansTriggerTheBackPressure() {
    long bound = 50 * ROWS * ROW_BYTES; // 50 dropped scans' read-ahead
    UnreleasedMemory.limit(bound);
    long collections = UnreleasedMemory.collections();
    long peak = 0;
    for (int i = 0; i < 400; i++) {
      openAndDrop();
      peak = Math.max(peak, BridgeStats.snapshot().scansLive() - before.scansLive());
    }
    assertThat(UnreleasedMemory.collections()).isGreaterThan(collections);
    assertThat(peak).as("scans open at once").isLessThan(200);
  }
}
