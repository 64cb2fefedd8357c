package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.CacheOptions;
import dev.lancetorch.permutation.DiskCacheReadMain;
import dev.lancetorch.permutation.Permutation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk cache over {@code s3://} (S3Proxy on 127.0.0.1): the first epoch, filling while it
 * serves, and later epochs read exactly the rows of an uncached read; once filled, epochs read no
 * data from the object store (they still work with the server stopped); no cache file holds the
 * credentials or the endpoint.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class S3DiskCacheTest extends S3Fixture {
  static final int FRAGS = 3;
  static final int PER = 20_000;

  @TempDir Path dir;

  @Test
  void epochsAfterTheFillReadNothingFromTheObjectStore() throws Exception {
    ConnectOptions remote =
        ConnectOptions.builder().storageOptions(s3.storageOptions()).allocator(allocator).build();
    try (Connection db = LanceDb.connect("s3://bucket/db", remote);
        Connection local =
            LanceDb.connect(
                dir.resolve("perms").toString(),
                ConnectOptions.builder().allocator(allocator).build())) {
      Table t;
      try (VectorSchemaRoot first = DiskCacheReadMain.rows(allocator, 0, PER)) {
        t = db.createTable("t", first);
      }
      try (t) {
        for (int f = 1; f < FRAGS; f++) {
          try (VectorSchemaRoot more = DiskCacheReadMain.rows(allocator, f * PER, PER)) {
            t.add(more);
          }
        }
        Permutation.builder(t).shuffle(9).persist(local, "perm").close();
        try (Table perm = local.openTable("perm")) {
          Permutation<ArrowBatch> base = Permutation.fromTables(t, perm).withBatchSize(500);
          String expected = DiskCacheReadMain.digest(base);
          CacheOptions cache = CacheOptions.disk(dir.resolve("cache"), 1L << 30);
          try (Permutation<ArrowBatch> p = base.withCache(cache)) {
            assertThat(DiskCacheReadMain.digest(p)).as("epoch 1").isEqualTo(expected);
            p.fillCache();
            assertThat(p.cacheStats().fragmentsFilled()).isEqualTo(FRAGS);
            long served = p.cacheStats().rowsServed();
            s3.stop();
            try {
              assertThat(DiskCacheReadMain.digest(p)).as("epoch 2, S3 stopped").isEqualTo(expected);
              assertThat(p.cacheStats().rowsServed() - served).isEqualTo((long) FRAGS * PER);
            } finally {
              s3.restart();
            }
          }
          // credentials never reach the cache: no file name nor byte holds the keys
          try (java.util.stream.Stream<Path> files =
              java.nio.file.Files.walk(dir.resolve("cache"))) {
            for (Path f : files.toList()) {
              assertThat(f.toString()).doesNotContain(S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
              if (java.nio.file.Files.isRegularFile(f)) {
                String bytes =
                    new String(java.nio.file.Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(bytes)
                    .as("%s", f)
                    .doesNotContain(S3Server.ACCESS_KEY, S3Server.SECRET_KEY, "127.0.0.1");
              }
            }
          }
        }
      }
    }
  }
}
