package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One Table shared by 8 reading threads while another thread appends through it. */
class ConcurrencyTest {
  @TempDir Path dir;

  @Test
  void readersAlwaysSeeACommittedConsistentVersion() throws Exception {
    int initial = 1000;
    int batch = 100;
    int appends = 20;
    Set<Long> committed = ConcurrentHashMap.newKeySet();
    for (int k = 0; k <= appends; k++) {
      committed.add((long) initial + (long) k * batch);
    }
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicLong reads = new AtomicLong();
    AtomicBoolean writerDone = new AtomicBoolean();
    try (BufferAllocator allocator = new RootAllocator();
        Connection db =
            LanceDb.connect(
                dir.toString(), ConnectOptions.builder().allocator(allocator).build())) {
      Table table = TestData.table(db, "t", allocator, initial);
      CountDownLatch start = new CountDownLatch(1);
      Thread[] readers = new Thread[8];
      for (int t = 0; t < readers.length; t++) {
        final int seed = t;
        readers[t] =
            new Thread(
                () -> {
                  Random rnd = new Random(seed);
                  try {
                    start.await();
                    int afterWriter = 0;
                    while (afterWriter < 3) {
                      if (writerDone.get()) {
                        afterWriter++;
                      }
                      switch (rnd.nextInt(4)) {
                        case 0 -> assertThat(committed).contains(table.countRows());
                        case 1 -> {
                          List<Long> ids =
                              TestData.ids(
                                  table.query().select("id").batchSize(256).toArrowReader());
                          assertThat(committed).contains((long) ids.size());
                          assertThat(ids).isEqualTo(TestData.range(0, ids.size()));
                        }
                        case 2 -> {
                          long[] offsets = new long[64];
                          for (int i = 0; i < offsets.length; i++) {
                            offsets[i] = rnd.nextInt(initial);
                          }
                          try (VectorSchemaRoot got = table.takeOffsets(offsets, List.of("id"))) {
                            BigIntVector id = (BigIntVector) got.getVector("id");
                            for (int i = 0; i < offsets.length; i++) {
                              assertThat(id.get(i)).isEqualTo(offsets[i]);
                            }
                          }
                        }
                        default -> {
                          long n = table.countRows("id >= 500");
                          assertThat(committed).contains(n + 500);
                          assertThat(
                                  table.fragments().stream().mapToLong(FragmentInfo::numRows).sum())
                              .isIn(committed);
                        }
                      }
                      reads.incrementAndGet();
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                },
                "reader-" + t);
        readers[t].start();
      }
      Thread writer =
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int k = 0; k < appends; k++) {
                    try (VectorSchemaRoot r =
                        TestData.rows(allocator, initial + (long) k * batch, batch)) {
                      table.add(r);
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                } finally {
                  writerDone.set(true);
                }
              },
              "writer");
      writer.start();
      start.countDown();
      writer.join();
      joinAndRethrow(readers, failures);
      assertThat(table.countRows()).isEqualTo(initial + (long) appends * batch);
      assertThat(table.version()).isEqualTo(1 + appends);
      assertThat(reads.get()).isGreaterThan(8 * 3);
      System.out.println("concurrent reads during " + appends + " appends: " + reads.get());
    }
  }

  /**
   * close() racing with reads: each read either completes on its snapshot or throws ISE; no leak.
   */
  @Test
  void closeRacingWithReadsIsSafe() throws Exception {
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    try (BufferAllocator allocator = new RootAllocator();
        Connection db =
            LanceDb.connect(
                dir.toString(), ConnectOptions.builder().allocator(allocator).build())) {
      Table table = TestData.table(db, "t", allocator, 500);
      AtomicLong completed = new AtomicLong();
      CountDownLatch running = new CountDownLatch(4);
      Thread[] readers = new Thread[4];
      for (int t = 0; t < readers.length; t++) {
        readers[t] =
            new Thread(
                () -> {
                  running.countDown();
                  while (true) {
                    try {
                      List<Long> ids = TestData.ids(table.query().batchSize(50).toArrowReader());
                      assertThat(ids).isEqualTo(TestData.range(0, 500));
                      try (VectorSchemaRoot got =
                          table.takeOffsets(new long[] {499, 0}, List.of("id"))) {
                        assertThat(((BigIntVector) got.getVector("id")).get(0)).isEqualTo(499);
                      }
                      completed.incrementAndGet();
                    } catch (IllegalStateException closed) {
                      assertThat(closed).hasMessageContaining("closed");
                      return;
                    } catch (Throwable e) {
                      failures.add(e);
                      return;
                    }
                  }
                });
        readers[t].start();
      }
      running.await();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (completed.get() < 4 && failures.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      table.close(); // while readers are mid-flight

      joinAndRethrow(readers, failures);
      assertThat(completed.get()).isPositive();
    }
  }

  /** Waits for the threads, then fails with every failure they recorded. */
  private static void joinAndRethrow(Thread[] threads, Queue<Throwable> failures)
      throws InterruptedException {
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      AssertionError e = new AssertionError(failures.size() + " thread failures");
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }
}
