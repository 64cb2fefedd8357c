package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.permutation.Permutation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 item 10: {@link Connection#close()} neither fails nor breaks reads that are still
 * running (the connection's allocator is released when the last of them ends), and an {@code ARROW}
 * for-each left with {@code break} does not make it report a leak.
 */
class ConnectionCloseTest {
  @TempDir Path dir;

  static void gcUntil(BooleanSupplier done) throws InterruptedException {
    for (int i = 0; i < 300 && !done.getAsBoolean(); i++) {
      System.gc();
      Thread.sleep(10);
    }
  }

  private static Connection connect(Path dir, BufferAllocator root) {
    return LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(root).build());
  }

  @Test
  void closingAfterAnArrowForEachLeftWithBreakReportsNoLeak() throws Exception {
    try (BufferAllocator root = new RootAllocator()) {
      Connection db = connect(dir, root);
      Table t = TestData.table(db, "t", root, 5000);
      for (int i = 0; i < 3; i++) {
        for (Object batch : Permutation.identity(t).withBatchSize(100)) {
          ((AutoCloseable) batch).close();
          break; // the iterator is dropped with its scan and read-ahead open
        }
      }
      db.close(); // threw "Memory was leaked by query (64)"
      assertThatThrownBy(t::countRows).isInstanceOf(IllegalStateException.class);
      gcUntil(() -> root.getChildAllocators().isEmpty());
      assertThat(root.getChildAllocators()).as("the connection's allocator, released").isEmpty();
      assertThat(root.getAllocatedMemory()).isZero();
    } // closing the root throws on any leak
  }

  @Test
  void readsInFlightFinishWhenAnotherThreadClosesTheConnection() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (BufferAllocator root = new RootAllocator()) {
      Connection db = connect(dir, root);
      Table t = TestData.table(db, "t", root, 20_000);
      CountDownLatch started = new CountDownLatch(3);
      CountDownLatch closed = new CountDownLatch(1);
      List<Future<List<Long>>> reads = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        reads.add(
            pool.submit(
                () -> {
                  List<Long> ids = new ArrayList<>();
                  try (ArrowReader reader = t.query().select("id").batchSize(500).toArrowReader()) {
                    boolean first = true;
                    while (reader.loadNextBatch()) {
                      VectorSchemaRoot b = reader.getVectorSchemaRoot();
                      BigIntVector id = (BigIntVector) b.getVector("id");
                      for (int i = 0; i < b.getRowCount(); i++) {
                        ids.add(id.get(i));
                      }
                      if (first) {
                        first = false;
                        started.countDown();
                        closed.await(); // the rest is read after the connection closed
                      }
                    }
                  }
                  return ids;
                }));
      }
      assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
      db.close(); // threw: the readers' batches were still in the allocator
      assertThat(root.getChildAllocators()).as("still in use by the reads").isNotEmpty();
      closed.countDown();
      for (Future<List<Long>> f : reads) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(TestData.range(0, 20_000));
      }
      assertThat(root.getChildAllocators()).as("released by the last read").isEmpty();
      assertThatThrownBy(() -> t.query().toArrowReader()).isInstanceOf(IllegalStateException.class);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRootTheCallerKeepsIsStillReportedAtClose() {
    BufferAllocator root = new RootAllocator(); // not closed: the leak below stays recorded in it
    Connection db = connect(dir, root);
    Table t = TestData.table(db, "t", root, 10);
    VectorSchemaRoot kept = t.takeOffsets(new long[] {1, 2}, null); // never closed: a real leak
    assertThat(kept.getRowCount()).isEqualTo(2);
    assertThatThrownBy(db::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("leak");
  }
}
