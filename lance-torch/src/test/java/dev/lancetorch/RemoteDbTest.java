package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.Permutation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code db://} against lance-core's own REST namespace server (directory backend) on 127.0.0.1.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteDbTest {
  @TempDir Path dir;
  private RootAllocator allocator;
  private RemoteFixtures.RestServer server;

  @BeforeEach
  void start() {
    allocator = new RootAllocator();
    server = new RemoteFixtures.RestServer(dir.toString());
  }

  @AfterEach
  void stop() {
    server.close();
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private ConnectOptions options() {
    return ConnectOptions.builder()
        .hostOverride(server.url())
        .apiKey("test-key")
        .headers(Map.of("x-test", "1"))
        .requestTimeout(Duration.ofSeconds(10))
        .allocator(allocator)
        .build();
  }

  /** Writes table {@code name} straight into the server's backing directory. */
  private void createLocally(String name, int rows) {
    try (Connection local =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
        VectorSchemaRoot data = TestData.rows(allocator, 0, rows)) {
      local.createTable(name, data).close();
    }
  }

  @Test
  void listOpenSchemaCountScanTakeThroughTheNamespace() throws Exception {
    createLocally("items", 300);
    try (Connection db = LanceDb.connect("db://my-database", options())) {
      assertThat(db.uri()).isEqualTo("db://my-database");
      assertThat(db.tableNames()).containsExactly("items");
      try (Table t = db.openTable("items")) {
        assertThat(t.schema()).isEqualTo(TestData.SCHEMA);
        assertThat(t.countRows()).isEqualTo(300);
        assertThat(t.countRows("id < 10")).isEqualTo(10);
        assertThat(TestData.ids(t.query().toArrowReader())).isEqualTo(TestData.range(0, 300));
        try (VectorSchemaRoot r = t.takeOffsets(new long[] {299, 5}, List.of("id"))) {
          assertThat(r.getVector("id").getObject(0)).isEqualTo(299L);
          assertThat(r.getVector("id").getObject(1)).isEqualTo(5L);
        }
      }
    }
  }

  @Test
  void createAppendAndDropThroughTheServer() throws Exception {
    try (Connection db = LanceDb.connect("db://my-database", options());
        VectorSchemaRoot first = TestData.rows(allocator, 0, 100);
        VectorSchemaRoot more = TestData.rows(allocator, 100, 50)) {
      try (Table t = db.createTable("made", first)) {
        t.add(more);
        assertThat(t.countRows()).isEqualTo(150);
      }
      assertThat(db.tableNames()).containsExactly("made");
      try (Connection local =
              LanceDb.connect(
                  dir.toString(), ConnectOptions.builder().allocator(allocator).build());
          Table t = local.openTable("made")) {
        assertThat(TestData.ids(t.query().toArrowReader())).isEqualTo(TestData.range(0, 150));
      }
      assertThatThrownBy(() -> db.createTable("made", first))
          .isInstanceOf(TableAlreadyExistsException.class);
      db.dropTable("made");
      assertThat(db.tableNames()).isEmpty();
    }
  }

  @Test
  void permutationReadByTwoWorkersThatReopenThroughTheNamespace() throws Exception {
    createLocally("items", 1000);
    List<Long> expected;
    try (Connection local =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
        Table t = local.openTable("items")) {
      expected = RemoteFixtures.loaderIds(Permutation.identity(t).withBatchSize(64), 2, 64);
    }
    try (Connection db = LanceDb.connect("db://my-database", options());
        Table t = db.openTable("items")) {
      TableRef ref = t.reopenState();
      assertThat(ref.databaseUri()).isEqualTo("db://my-database");
      assertThat(ref.remoteOptions())
          .containsEntry("api_key", "test-key")
          .containsEntry("host_override", server.url());
      assertThat(ref.toString()).doesNotContain("test-key");
      TableRef back = roundTrip(ref);
      try (Table reopened = back.open(allocator)) {
        assertThat(reopened.countRows()).isEqualTo(1000);
      }
      List<Long> remote =
          RemoteFixtures.loaderIds(Permutation.identity(t).withBatchSize(64), 2, 64);
      assertThat(remote).isEqualTo(expected);
      List<Long> sorted = new ArrayList<>(remote);
      Collections.sort(sorted);
      assertThat(sorted).isEqualTo(TestData.range(0, 1000));
    }
  }

  /**
   * lance-core's RestAdapter has no authentication: any key (or none) is accepted. A wrong key can
   * only be tested against a server that checks it (LanceDB Cloud): it then surfaces as
   * RemoteDatabaseException.
   */
  @Test
  void testServerDoesNotCheckTheApiKey() {
    createLocally("items", 1);
    ConnectOptions wrong =
        ConnectOptions.builder()
            .hostOverride(server.url())
            .apiKey("wrong")
            .allocator(allocator)
            .build();
    try (Connection db = LanceDb.connect("db://my-database", wrong)) {
      assertThat(db.tableNames()).containsExactly("items");
    }
  }

  /**
   * The default reopen state carries the API key; a connection factory keeps it out (loaded in the
   * worker).
   */
  @Test
  void connectionFactoryKeepsTheKeyOutOfTheSerializedPermutation() throws Exception {
    createLocally("items", 200);
    String url = server.url();
    try (Connection db = LanceDb.connect("db://my-database", options());
        Table t = db.openTable("items")) {
      Permutation<ArrowBatch> withKey = Permutation.identity(t).withBatchSize(32);
      assertThat(serialized(withKey)).contains("test-key");
      Permutation<ArrowBatch> keyless =
          withKey.withConnectionFactory(
              () ->
                  LanceDb.connect(
                      "db://my-database",
                      ConnectOptions.builder().hostOverride(url).apiKey(KeySource.key()).build()));
      assertThat(serialized(keyless)).doesNotContain("test-key");
      List<Long> ids = RemoteFixtures.loaderIds(keyless, 2, 32);
      Collections.sort(ids);
      assertThat(ids).isEqualTo(TestData.range(0, 200));
    }
  }

  /** Stands for "read the key from the environment / a secret store where the worker runs". */
  static final class KeySource {
    static String key() {
      return "test-" + "key";
    }
  }

  private static String serialized(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /**
   * Workers reopen through the namespace: with the server gone, the loader fails naming the URL
   * (and does not hang).
   */
  @Test
  void workersReopenThroughTheServer() {
    createLocally("items", 100);
    try (Connection db = LanceDb.connect("db://my-database", options());
        Table t = db.openTable("items")) {
      Permutation<ArrowBatch> p = Permutation.identity(t).withBatchSize(10);
      server.stop();
      Throwable e =
          org.assertj.core.api.Assertions.catchThrowable(() -> RemoteFixtures.loaderIds(p, 2, 10));
      assertThat(e).isNotNull();
      StringBuilder chain = new StringBuilder();
      for (Throwable c = e; c != null; c = c.getCause()) {
        chain.append(c).append('\n');
      }
      assertThat(chain.toString())
          .contains(RemoteDatabaseException.class.getName())
          .contains(server.url());
    }
  }

  @Test
  void missingTableNamesTableAndUrl() {
    try (Connection db = LanceDb.connect("db://my-database", options())) {
      assertThatThrownBy(() -> db.openTable("nope"))
          .isInstanceOf(TableNotFoundException.class)
          .hasMessageContaining("'nope'")
          .hasMessageContaining(server.url());
      assertThatThrownBy(() -> db.dropTable("nope")).isInstanceOf(TableNotFoundException.class);
    }
  }

  @Test
  void serverDownGivesAClearErrorWithTheUrl() {
    createLocally("items", 10);
    try (Connection db = LanceDb.connect("db://my-database", options())) {
      assertThat(db.tableNames()).containsExactly("items");
      server.stop();
      long t0 = System.nanoTime();
      assertThatThrownBy(db::tableNames)
          .isInstanceOf(RemoteDatabaseException.class)
          .hasMessageContaining(server.url())
          .satisfies(
              e -> assertThat(((RemoteDatabaseException) e).endpoint()).isEqualTo(server.url()))
          .satisfies(
              e ->
                  assertThat(((RemoteDatabaseException) e).status())
                      .isEqualTo("SERVICE_UNAVAILABLE"));
      assertThatThrownBy(() -> db.openTable("items"))
          .isInstanceOf(RemoteDatabaseException.class)
          .hasMessageContaining(server.url());
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    }
  }

  @Test
  void unansweredRequestsTimeOut() throws Exception {
    // a socket that accepts connections but never answers
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      ConnectOptions o =
          ConnectOptions.builder()
              .hostOverride("http://127.0.0.1:" + silent.getLocalPort())
              .requestTimeout(Duration.ofSeconds(2))
              .allocator(allocator)
              .build();
      try (Connection db = LanceDb.connect("db://my-database", o)) {
        long t0 = System.nanoTime();
        assertThatThrownBy(db::tableNames)
            .isInstanceOf(RemoteDatabaseException.class)
            .hasMessageContaining("timed out")
            .hasMessageContaining(String.valueOf(silent.getLocalPort()));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void cloudUrlIsBuiltFromDatabaseAndRegion() {
    ConnectOptions o =
        ConnectOptions.builder().region("eu-west-1").requestTimeout(Duration.ofMillis(1)).build();
    try (Connection db = LanceDb.connect("db://my-database", o)) {
      assertThatThrownBy(db::tableNames)
          .isInstanceOf(RemoteDatabaseException.class)
          .hasMessageContaining("https://my-database.eu-west-1.api.lancedb.com");
    }
    assertThatThrownBy(() -> LanceDb.connect("db://a/b", o))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static TableRef roundTrip(TableRef ref) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(ref);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (TableRef) in.readObject();
    }
  }
}
