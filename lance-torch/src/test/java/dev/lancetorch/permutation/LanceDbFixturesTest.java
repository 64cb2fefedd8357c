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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
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
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LanceDbFixturesTest {
  private RootAllocator allocator;
  private Connection db;
  private Table cmp;
  private int built;

  @BeforeAll
  void createTable(@TempDir Path dir) {
    allocator = new RootAllocator();
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
    cmp = LanceDbCalls.createCompatTable(db, allocator, "cmp", 2000);
  }

  @AfterAll
  void close() {
    cmp.close();
    db.close();
    allocator.close();
  }

  Stream<JsonNode> lancedbBuilds() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("lancedb-0.39.0-builds.json")) {
      JsonNode root = new ObjectMapper().readTree(in);
      assertThat(root.get("rows").asInt()).isEqualTo(2000);
      List<JsonNode> out = new ArrayList<>();
      root.get("results").forEach(out::add);
      return out.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("lancedbBuilds")
  void sameRowsSameOrderAsLanceDb(JsonNode result) {
    JsonNode call = result.get("config");
    PermutationBuilder b = LanceDbCalls.builder(cmp, call);
    if (result.has("error")) {
      assertThatThrownBy(() -> b.execute())
          .as("LanceDB: " + result.get("error").asText())
          .isInstanceOf(IllegalArgumentException.class);
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
