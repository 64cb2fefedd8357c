package dev.lancetorch.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.internal.arrow.FragmentSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader's view made with its fills deferred schedules none until {@link
 * DiskColumnCache.View#startFills()}, which schedules each missing fragment once — so that an
 * epoch's first batch is taken before the fills share Lance's threads with it.
 */
class DeferredFillsTest {
  /** A table whose scans must not run here: the fill pool below records fills, never runs them. */
  private static final CacheSource TABLE =
      new CacheSource() {
        @Override
        public String location() {
          return "deferred-fills-test";
        }

        @Override
        public Schema schema() {
          return new Schema(List.of(Field.nullable("x", new ArrowType.Int(32, true))));
        }

        @Override
        public ArrowReader scanFragment(
            int fragmentId, List<String> columns, boolean addresses, int batchSize, int readahead) {
          throw new AssertionError("no scan expected");
        }
      };

  @Test
  void fillsStartOnlyWhenAsked(@TempDir Path dir) throws Exception {
    List<Runnable> scheduled = new ArrayList<>();
    java.util.function.Function<Runnable, Future<?>> pool =
        r -> {
          synchronized (scheduled) {
            scheduled.add(r);
          }
          return CompletableFuture.completedFuture(null);
        };
    List<FragmentSize> fragments =
        List.of(
            new FragmentSize(0, 10, 10, List.of("a.lance")),
            new FragmentSize(2, 10, 10, List.of("b.lance")),
            new FragmentSize(3, 0, 0, List.of("empty.lance"))); // nothing to cache
    DiskColumnCache cache = DiskColumnCache.acquire(dir, 1L << 30, TABLE, List.of("x"), 4, pool);
    try {
      DiskColumnCache.View deferred = cache.use(TABLE, fragments, false);
      assertThat(scheduled).isEmpty();
      assertThat(deferred.allCached()).isFalse();
      deferred.startFills();
      assertThat(scheduled).hasSize(2);
      deferred.startFills(); // once
      assertThat(scheduled).hasSize(2);
      // another view (started at once) leaves the fragments already scheduled to their fill
      cache.use(TABLE, fragments);
      assertThat(scheduled).hasSize(2);
    } finally {
      cache.release();
    }
    try (var files = Files.list(dir)) {
      assertThat(files.filter(p -> p.toString().endsWith(".ltc"))).isEmpty();
    }
  }

  @Test
  void aViewStartedAtOnceSchedulesItsFills(@TempDir Path dir) {
    List<Runnable> scheduled = new ArrayList<>();
    DiskColumnCache cache =
        DiskColumnCache.acquire(
            dir,
            1L << 30,
            TABLE,
            List.of("x"),
            4,
            r -> {
              scheduled.add(r);
              return CompletableFuture.completedFuture(null);
            });
    try {
      cache.use(TABLE, List.of(new FragmentSize(1, 5, 5, List.of("c.lance"))));
      assertThat(scheduled).hasSize(1);
    } finally {
      cache.release();
    }
    assertThatThrownBy(() -> cache.use(TABLE, List.of())).isInstanceOf(IllegalStateException.class);
  }
}
