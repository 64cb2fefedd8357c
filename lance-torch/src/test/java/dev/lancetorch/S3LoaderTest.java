package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.loader.DataLoaderException;
import dev.lancetorch.loader.LoaderState;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.Permutation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A permutation of an {@code s3://} table read by a 2-worker DataLoader; an outage mid-epoch;
 * resume.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class S3LoaderTest extends S3Fixture {
  private static final int ROWS = 2000;
  private static final int BATCH = 50;

  @TempDir Path dir;

  /** Creates then appends (two commits, two fragments) in {@code uri}. */
  private Connection populate(String uri, ConnectOptions.Builder o) {
    Connection db = LanceDb.connect(uri, o.allocator(allocator).build());
    try (VectorSchemaRoot a = TestData.rows(allocator, 0, ROWS / 2);
        VectorSchemaRoot b = TestData.rows(allocator, ROWS / 2, ROWS / 2);
        Table t = db.createTable("items", a)) {
      t.add(b);
    }
    return db;
  }

  private static DataLoader.Builder<ArrowBatch, long[]> loader(Permutation<ArrowBatch> p) {
    return DataLoader.builder(p)
        .batchSize(BATCH)
        .numWorkers(2)
        .shuffle(true)
        .seed(11)
        .collate(RemoteFixtures::ids);
  }

  @Test
  void sameRowsAsLocalThenOutageThenResume() {
    List<Long> localOrder;
    try (Connection local = populate(dir.toString(), ConnectOptions.builder());
        Table t = local.openTable("items")) {
      localOrder = read(loader(Permutation.identity(t)).build());
    }
    ConnectOptions.Builder s3Options = ConnectOptions.builder().storageOptions(s3.storageOptions());
    try (Connection db = populate("s3://bucket/train", s3Options);
        Table t = db.openTable("items")) {
      Permutation<ArrowBatch> perm = Permutation.identity(t);
      assertThat(read(loader(perm).build())).isEqualTo(localOrder);

      // outage after a few batches: a clear error reaches the caller, workers stop, nothing hangs.
      // A read-ahead of a few batches, so the outage is met (the default budget reads all 2000 rows
      // in the first window, variable-length columns included)
      List<Long> before = new ArrayList<>();
      LoaderState saved;
      long t0;
      try (Permutation<ArrowBatch> small = perm.withReadAhead(8 << 10);
          DataLoader<long[]> l = loader(small).build()) {
        Iterator<long[]> it = l.iterator();
        for (int i = 0; i < 5; i++) {
          add(before, it.next());
        }
        s3.stop();
        t0 = System.nanoTime();
        Throwable error =
            catchThrowable(
                () -> {
                  while (it.hasNext()) {
                    add(before, it.next());
                  }
                });
        assertThat(error).isInstanceOf(DataLoaderException.class);
        assertThat(chain(error)).contains("127.0.0.1");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
        saved = l.state();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(90));
      assertThat(before.size()).isLessThan(ROWS);

      // back up: a new loader resumed from the saved state reads exactly the rest of the epoch
      s3.restart();
      List<Long> after = read(loader(perm).resumeFrom(saved).build());
      List<Long> all = new ArrayList<>(before);
      all.addAll(after);
      Collections.sort(all);
      assertThat(all).isEqualTo(TestData.range(0, ROWS));
    }
  }

  private static List<Long> read(DataLoader<long[]> l) {
    List<Long> out = new ArrayList<>();
    try (l) {
      Iterator<long[]> it = l.iterator();
      while (it.hasNext()) {
        add(out, it.next());
      }
    }
    return out;
  }

  private static void add(List<Long> out, long[] ids) {
    for (long id : ids) {
      out.add(id);
    }
  }

  private static String chain(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = e; c != null; c = c.getCause()) {
      sb.append(c).append('\n');
    }
    return sb.toString();
  }
}
