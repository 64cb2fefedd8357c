package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.ChildJvm;
import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk cache shared by several JVMs ({@link DiskCacheReadMain} in child processes): two JVMs
 * filling one directory at once fill each fragment once between them and read the same rows as an
 * uncached read; a JVM killed (SIGKILL) in the middle of a fill leaves nothing that a later JVM
 * reads wrong.
 */
class DiskCacheProcessesTest {
  static final int FRAGS = 4;
  static final int PER = 150_000;

  @TempDir Path dir;
  Path db;
  Path cache;
  String expected;

  @BeforeEach
  void createTable() throws Exception {
    db = dir.resolve("db");
    cache = dir.resolve("cache");
    try (RootAllocator allocator = new RootAllocator();
        Connection c =
            LanceDb.connect(db.toString(), ConnectOptions.builder().allocator(allocator).build())) {
      Table t;
      try (VectorSchemaRoot first = DiskCacheReadMain.rows(c.allocator(), 0, PER)) {
        t = c.createTable("t", first);
      }
      try (t) {
        for (int f = 1; f < FRAGS; f++) {
          try (VectorSchemaRoot more = DiskCacheReadMain.rows(c.allocator(), f * PER, PER)) {
            t.add(more);
          }
        }
        Permutation.builder(t).shuffle(5).persist(c, "perm").close();
        try (Table perm = c.openTable("perm");
            Permutation<ArrowBatch> p = Permutation.fromTables(t, perm).withBatchSize(1000)) {
          expected = DiskCacheReadMain.digest(p); // the planner, no cache
        }
      }
    }
  }

  Process child(String name) throws Exception {
    return new ProcessBuilder(
            ChildJvm.command(
                List.of(
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "-Xss4m",
                    "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"),
                DiskCacheReadMain.class,
                db.toString(),
                cache.toString(),
                "perm"))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile())
        .start();
  }

  String finish(Process p, String name) throws Exception {
    boolean done = p.waitFor(300, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String log = Files.readString(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
    assertThat(done).as("finished; output:%n%s", log).isTrue();
    assertThat(p.exitValue()).as("exit code; output:%n%s", log).isZero();
    assertThat(log).as(log).contains("DIGEST " + expected);
    return log;
  }

  static long stat(String log, String key) {
    String line = log.lines().filter(l -> l.startsWith("STATS ")).findFirst().orElseThrow();
    for (String part : line.substring(6).split(" ")) {
      if (part.startsWith(key + "=")) {
        return Long.parseLong(part.substring(key.length() + 1));
      }
    }
    throw new AssertionError(line);
  }

  List<Path> files(String suffix) throws Exception {
    if (!Files.isDirectory(cache)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(cache)) {
      return s.filter(
              p -> {
                String n = p.getFileName().toString();
                return suffix.startsWith(".tmp") ? n.contains(suffix) : n.endsWith(suffix);
              })
          .toList();
    }
  }

  @Test
  void twoJvmsFillingOneDirectoryFillEachFragmentOnce() throws Exception {
    Process a = child("a");
    Process b = child("b");
    String la = finish(a, "a");
    String lb = finish(b, "b");
    assertThat(la + lb).as("the cache stays on").doesNotContain("is unusable");
    assertThat(stat(la, "filled") + stat(lb, "filled")).as(la + lb).isEqualTo(FRAGS);
    assertThat(stat(la, "opened") + stat(lb, "opened")).as(la + lb).isEqualTo(FRAGS);
    assertThat(files(".ltc")).hasSize(FRAGS);
    assertThat(files(".tmp-")).isEmpty();
    // a third JVM on the warm cache fills nothing
    String lc = finish(child("c"), "c");
    assertThat(stat(lc, "filled")).isZero();
    assertThat(stat(lc, "opened")).isEqualTo(FRAGS);
  }

  @Test
  void aJvmKilledDuringAFillLeavesNothingWrong() throws Exception {
    Process a = child("killed");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (files(".tmp-").isEmpty() && a.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(files(".tmp-")).as("a fill in progress").isNotEmpty();
    a.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
    int sealedBefore = files(".ltc").size();
    assertThat(sealedBefore).isLessThan(FRAGS);
    String lb = finish(child("after"), "after");
    assertThat(stat(lb, "filled")).isEqualTo(FRAGS - sealedBefore);
    assertThat(files(".ltc")).hasSize(FRAGS);
    assertThat(files(".tmp-")).as("the killed fill's temporary file").isEmpty();
  }
}
