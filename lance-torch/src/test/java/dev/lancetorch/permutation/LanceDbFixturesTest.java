package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Builds pinned from LanceDB itself: {@code lancedb-0.39.0-builds.json} was written by LanceDB's
 * Node package 0.39.0 ({@code node interop/js/builds.mjs DIR 2000 interop/js/fixtures-configs.json
 * OUT}, see interop/js/README.md) over a 2000-row table in 4 fragments; the same calls here over
 * the same table must give the same rows in the same order in every split (and the same
 * rejections).
 *
 * <p>{@code lancedb-0.39.0-unshuffled-40000.json}: LanceDB's unshuffled builds (sequential splits,
 * no split, random splits without a shuffle, with filters) over 40,000 rows in 4 fragments, where
 * LanceDB's sort by split id merges the scan's 1024-row batches and interleaves them: per split its
 * size and the SHA-256 of its row ids in stored order ({@code node interop/js/builds.mjs DIR 40000
 * interop/js/unshuffled-configs.json OUT}, then {@code node interop/js/digests.mjs OUT FIXTURE}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LanceDbFixturesTest {
  private RootAllocator allocator;
  private Connection db;
  private Table cmp;
  private Table cmp40k;
  private int built;

  @BeforeAll
  void createTable(@TempDir Path dir) {
    allocator = new RootAllocator();
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
    cmp = LanceDbCalls.createCompatTable(db, allocator, "cmp", 2000);
    cmp40k = LanceDbCalls.createCompatTable(db, allocator, "cmp40k", 40000);
  }

  @AfterAll
  void close() {
    cmp.close();
    cmp40k.close();
    db.close();
    allocator.close();
  }

  Stream<JsonNode> lancedbBuilds() throws Exception {
    return results("lancedb-0.39.0-builds.json", 2000);
  }

  Stream<JsonNode> lancedbUnshuffledBuilds() throws Exception {
    return results("lancedb-0.39.0-unshuffled-40000.json", 40000);
  }

  private Stream<JsonNode> results(String resource, int rows) throws Exception {
    try (InputStream in = getClass().getResourceAsStream(resource)) {
      JsonNode root = new ObjectMapper().readTree(in);
      assertThat(root.get("rows").asInt()).isEqualTo(rows);
      List<JsonNode> out = new ArrayList<>();
      root.get("results").forEach(out::add);
      return out.stream();
    }
  }

  /** Rejected as by LanceDB: true when {@code result} is LanceDB's error. */
  private static boolean rejected(JsonNode result, PermutationBuilder b) {
    if (!result.has("error")) {
      return false;
    }
    assertThatThrownBy(() -> b.execute())
        .as("LanceDB: " + result.get("error").asText())
        .isInstanceOf(IllegalArgumentException.class);
    return true;
  }

  static String sha256(List<String> ids) throws Exception {
    byte[] d =
        MessageDigest.getInstance("SHA-256")
            .digest(String.join(",", ids).getBytes(StandardCharsets.US_ASCII));
    return HexFormat.of().formatHex(d);
  }

  /** The row ids (unsigned, as text) of a permutation in order. */
  static List<String> rowIds(Permutation<ArrowBatch> p) {
    List<String> out = new ArrayList<>();
    try (BatchIterator<ArrowBatch> it = p.selectColumns("_rowid").iter(8192, false)) {
      while (it.hasNext()) {
        try (ArrowBatch b = it.next()) {
          BaseIntVector v = (BaseIntVector) b.column("_rowid");
          for (int i = 0; i < b.numRows(); i++) {
            out.add(Long.toUnsignedString(v.getValueAsLong(i)));
          }
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("lancedbUnshuffledBuilds")
  void unshuffledBuildsInLanceDbsMergeOrder(JsonNode result) throws Exception {
    JsonNode call = result.get("config");
    PermutationBuilder b = LanceDbCalls.builder(cmp40k, call);
    if (rejected(result, b)) {
      return;
    }
    List<Long> sizes = new ArrayList<>();
    result.get("sizes").forEach(s -> sizes.add(s.asLong()));
    List<String> expected = new ArrayList<>();
    result.get("sha256").forEach(s -> expected.add(s.asText()));
    try (Table perm = b.persist(db, "perm" + built++)) {
      List<List<String>> actual = LanceDbCalls.rawSplits(perm);
      assertThat(actual.stream().map(s -> (long) s.size())).as(call.toString()).isEqualTo(sizes);
      List<String> digests = new ArrayList<>();
      for (List<String> split : actual) {
        digests.add(sha256(split));
      }
      assertThat(digests).as(call.toString()).isEqualTo(expected);
    }
    // toPermutations (no table written) takes the same path
    Permutations ps = b.toPermutations();
    List<String> inMemory = new ArrayList<>();
    for (int k = 0; k < ps.numSplits(); k++) {
      try (Permutation<ArrowBatch> p = ps.split(k)) {
        inMemory.add(sha256(rowIds(p)));
      }
    }
    assertThat(inMemory).as(call + " toPermutations").isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("lancedbBuilds")
  void sameRowsSameOrderAsLanceDb(JsonNode result) {
    JsonNode call = result.get("config");
    PermutationBuilder b = LanceDbCalls.builder(cmp, call);
    if (rejected(result, b)) {
      return;
    }
    List<List<String>> expected = new ArrayList<>();
    result
        .get("splits")
        .forEach(
            s -> {
              List<String> ids = new ArrayList<>();
              s.forEach(x -> ids.add(x.asText()));
              expected.add(ids);
            });
    try (Table perm = b.persist(db, "perm" + built++)) {
      List<List<String>> actual = LanceDbCalls.rawSplits(perm);
      assertThat(actual.stream().map(List::size))
          .as(call.toString())
          .containsExactlyElementsOf(expected.stream().map(List::size).toList());
      assertThat(actual).as(call.toString()).isEqualTo(expected);
    }
  }
}
