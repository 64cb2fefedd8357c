package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.internal.storage.MemoryDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryDatabaseTest {
  @TempDir Path dir;

  private static ConnectOptions with(BufferAllocator a) {
    return ConnectOptions.builder().allocator(a).build();
  }

  @Test
  void memoryTablesAreVisibleFromOtherThreadsAndVanishWithTheLastConnection() throws Exception {
    Path backing;
    try (BufferAllocator allocator = new RootAllocator()) {
      try (Connection db = LanceDb.connect("memory://shared-a", with(allocator))) {
        assertThat(db.uri()).isEqualTo("memory://shared-a");
        try (VectorSchemaRoot r = TestData.rows(allocator, 0, 25);
            Table t = db.createTable("t", r)) {
          backing = Paths.get(t.uri()).getParent();
          assertThat(Files.isDirectory(backing.resolve("t.lance"))).isTrue();
          Long otherThread =
              CompletableFuture.supplyAsync(
                      () -> {
                        try (BufferAllocator a2 = new RootAllocator();
                            Connection c2 = LanceDb.connect("memory://shared-a/", with(a2));
                            Table t2 = c2.openTable("t")) {
                          assertThat(c2.tableNames()).containsExactly("t");
                          return TestData.ids(t2.query().toArrowReader()).stream()
                              .mapToLong(Long::longValue)
                              .sum();
                        } catch (Exception e) {
                          throw new RuntimeException(e);
                        }
                      })
                  .get(60, TimeUnit.SECONDS);
          assertThat(otherThread).isEqualTo(300L); // 0 + ... + 24
        }
        assertThat(MemoryDatabases.isAlive("memory://shared-a")).isTrue();
      }
      assertThat(MemoryDatabases.isAlive("memory://shared-a")).isFalse();
      assertThat(Files.exists(backing)).isFalse();
      try (Connection again = LanceDb.connect("memory://shared-a", with(allocator))) {
        assertThat(again.tableNames()).isEmpty();
      }
    }
  }

  @Test
  void anonymousMemoryDatabasesAreDistinct() {
    try (BufferAllocator allocator = new RootAllocator();
        Connection a = LanceDb.connect("memory://", with(allocator));
        Connection b = LanceDb.connect("memory://", with(allocator));
        VectorSchemaRoot r = TestData.rows(allocator, 0, 3)) {
      assertThat(a.uri()).startsWith("memory://").isNotEqualTo(b.uri());
      a.createTable("t", r).close();
      assertThat(a.tableNames()).containsExactly("t");
      assertThat(b.tableNames()).isEmpty();
    }
  }

  @Test
  void tableRefSerializesAndReopensPinnedFromAnotherThread() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        Connection db = LanceDb.connect("memory://ref-db", with(allocator))) {
      Table t;
      try (VectorSchemaRoot r = TestData.rows(allocator, 0, 10)) {
        t = db.createTable("t", r);
      }
      TableRef ref = t.reopenState();
      try (VectorSchemaRoot r = TestData.rows(allocator, 10, 5)) {
        t.add(r); // after the ref: the ref stays at version 1
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(ref);
      }
      TableRef back;
      try (ObjectInputStream in =
          new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        back = (TableRef) in.readObject();
      }
      assertThat(back).isEqualTo(ref);
      assertThat(back.databaseUri()).isEqualTo("memory://ref-db");
      assertThat(back.version()).isEqualTo(1);
      long[] seen =
          CompletableFuture.supplyAsync(
                  () -> {
                    try (BufferAllocator a2 = new RootAllocator()) {
                      long pinned;
                      long latest;
                      try (Table w = back.open(a2)) {
                        assertThat(w.isPinned()).isTrue();
                        pinned = w.countRows();
                      }
                      try (Table w = back.openLatest(a2)) {
                        latest = w.countRows();
                      }
                      return new long[] {pinned, latest};
                    }
                  })
              .get(60, TimeUnit.SECONDS);
      assertThat(seen).containsExactly(10, 15);
      t.close();
    }
    TableRef dead = new TableRef("memory://ref-db", "t", null, 1, null);
    assertThatThrownBy(dead::open)
        .isInstanceOf(TableNotFoundException.class)
        .hasMessageContaining("memory databases");
    assertThat(MemoryDatabases.isAlive("memory://ref-db")).isFalse();
  }

  @Test
  void arrowIpcHandOffToAnotherJvm() throws Exception {
    Path ipc = dir.resolve("t.arrows");
    try (BufferAllocator allocator = new RootAllocator();
        Connection db = LanceDb.connect("memory://ipc-src", with(allocator))) {
      try (VectorSchemaRoot r = TestData.rows(allocator, 0, 1000);
          Table t = db.createTable("t", r)) {
        try (var out = Files.newOutputStream(ipc)) {
          assertThat(t.toArrowIpc(out)).isEqualTo(1000);
        }
        // same-JVM round trip into a second memory database with its own allocator
        try (BufferAllocator a2 = new RootAllocator();
            Connection other = LanceDb.connect("memory://ipc-dst", with(a2));
            var in = Files.newInputStream(ipc);
            Table copy = other.createTableFromArrowIpc("copy", in, CreateMode.CREATE)) {
          assertThat(copy.schema()).isEqualTo(t.schema());
          assertThat(TestData.ids(copy.query().toArrowReader())).isEqualTo(TestData.range(0, 1000));
        }
      }
    }
    // a real second JVM
    Process p =
        new ProcessBuilder(
                ChildJvm.command(
                    List.of("--add-opens=java.base/java.nio=ALL-UNNAMED"),
                    IpcWorkerMain.class,
                    ipc.toString()))
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("rows=1000 sum=499500");
  }
}
