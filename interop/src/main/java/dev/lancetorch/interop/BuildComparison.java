package dev.lancetorch.interop;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lancetorch.Connection;
import dev.lancetorch.Table;
import dev.lancetorch.permutation.LanceDbCalls;
import dev.lancetorch.permutation.Permutations;
import java.util.ArrayList;
import java.util.List;

/**
 * Part 3 of {@link InteropCheck}: the same builder calls in LanceDB (interop/js/builds.mjs,
 * configurations in builds-configs.json) and here, over the same table; each split's rows and order
 * must be identical, and a call LanceDB rejects must be rejected here.
 */
final class BuildComparison {
  interface Checker {
    void check(String what, Object expected, Object actual);
  }

  private final Checker checker;

  BuildComparison(Checker checker) {
    this.checker = checker;
  }

  /**
   * {@code lance}: lancedb-builds.json; {@code base}: the table {@code cmp}; permutations go to
   * {@code out}.
   */
  void run(JsonNode lance, Table base, Connection out) throws Exception {
    int i = 0;
    for (JsonNode r : lance.get("results")) {
      JsonNode c = r.get("config");
      String what =
          "build "
              + i
              + " ("
              + lance.get("rows").asText()
              + " rows, "
              + lance.path("fragments").asText("4")
              + " fragments) "
              + c;
      List<List<String>> java = null;
      String javaError = null;
      try (Table perm = LanceDbCalls.builder(base, c).persist(out, "build" + i)) {
        java = LanceDbCalls.rawSplits(perm);
      } catch (IllegalArgumentException | IllegalStateException e) {
        javaError = e.getMessage();
      }
      if (r.has("error")) {
        checker.check(
            what + ": rejected as by LanceDB (" + r.get("error").asText() + ")",
            true,
            javaError != null);
      } else {
        List<List<String>> expected = InteropCheck.strings(r.get("splits"));
        checker.check(what + ": no error", null, javaError);
        if (java != null) {
          checker.check(what + ": split sizes", sizes(expected), sizes(java));
          checker.check(what + ": rows and order of every split", expected, java);
        }
      }
      i++;
    }
  }

  /**
   * LanceDB's calculated-split tables (split_id Int32 / Int64) open here with the splits stored in
   * them.
   */
  void readCalculated(Table base, Table perm, String expectedType) throws Exception {
    List<List<String>> raw = LanceDbCalls.rawSplits(perm);
    checker.check(
        perm.name() + " split_id type as LanceDB writes it",
        expectedType,
        perm.schema().findField("split_id").getType().toString());
    Permutations ps = Permutations.of(base, perm);
    List<Long> sizes = new ArrayList<>();
    for (int k = 0; k < ps.numSplits(); k++) {
      sizes.add(ps.splitSize(k));
    }
    checker.check(perm.name() + " opens with Permutations.of: split sizes", sizes(raw), sizes);
  }

  private static List<Long> sizes(List<List<String>> splits) {
    return splits.stream().map(s -> (long) s.size()).toList();
  }
}
