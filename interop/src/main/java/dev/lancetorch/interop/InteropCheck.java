package dev.lancetorch.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.BatchIterator;
import dev.lancetorch.permutation.LanceDbCalls;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.Permutations;
import dev.lancetorch.permutation.SplitSizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Interoperability check against LanceDB's own implementation (Node package
 * {@code @lancedb/lancedb}, see {@code interop/js}). Not a unit test: it needs Node and the
 * installed npm packages. Run with {@code make interop}.
 *
 * <p>Part 1: {@code node write.mjs DIR} writes {@code base} and a permutation table {@code perm}
 * with LanceDB's PermutationBuilder, and what LanceDB reads back; this program reads both through
 * {@link Permutations#of} / {@link Permutation#fromTables} and compares. Part 2: this program
 * writes {@code jbase} and {@code jperm}; {@code node read.mjs DIR} reads them with LanceDB; this
 * program compares. Part 3: the builder calls of {@code builds-configs.json} in LanceDB ({@code
 * node builds.mjs}) and here over the same 50,000-row table: same sizes, rows and order per split.
 * Part 4: the unshuffled calls of {@code unshuffled-configs.json} (no split, sequential, random
 * without shuffle, with filters) over several row counts and fragment layouts, where LanceDB's
 * order comes from DataFusion's merge of the scan batches.
 *
 * <p>Usage: {@code InteropCheck [DIR]} (default: a fresh temp dir). System properties: {@code
 * interop.scripts} (default {@code interop/js}), {@code interop.node} (default {@code node}). Exit
 * code 1 on any FAIL.
 */
public final class InteropCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  private int failures;
  private int passes;

  public static void main(String[] args) throws Exception {
    Path dir =
        args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("lance-torch-interop");
    Files.createDirectories(dir);
    InteropCheck check = new InteropCheck();
    try {
      check.run(dir.toAbsolutePath());
    } catch (Exception e) {
      check.fail("exception", e.toString());
      e.printStackTrace();
    }
    System.out.printf(
        "%n%s: %d passed, %d failed (database: %s)%n",
        check.failures == 0 ? "PASS" : "FAIL", check.passes, check.failures, dir.toAbsolutePath());
    System.exit(check.failures == 0 ? 0 : 1);
  }

  private void run(Path dir) throws Exception {
    Path scripts = Path.of(System.getProperty("interop.scripts", "interop/js")).toAbsolutePath();
    String node = System.getProperty("interop.node", "node");
    try (RootAllocator allocator = new RootAllocator()) {
      // ---- Part 1: written by LanceDB, read here ----
      System.out.println("== LanceDB writes base + perm (node write.mjs) ==");
      runNode(node, scripts, "write.mjs", dir);
      JsonNode w = JSON.readTree(dir.resolve("lancedb-written.json").toFile());
      try (Connection db =
              LanceDb.connect(
                  dir.toString(), ConnectOptions.builder().allocator(allocator).build());
          Table base = db.openTable("base");
          Table perm = db.openTable("perm")) {
        check("base row count", w.at("/base/rows").asLong(), base.countRows());
        check("base fragments >= 2", true, base.fragments().size() >= 2);
        check(
            "base schema (LanceDB vs Java)",
            fieldsOf(w.at("/base/schema")),
            describe(base.schema()));
        check("perm row count", w.at("/perm/rows").asLong(), perm.countRows());
        check(
            "perm schema types (LanceDB vs Java)",
            typesOf(w.at("/perm/schema")),
            types(perm.schema()));
        check(
            "perm row_id/split_id are UInt64 (Java reads)",
            List.of("row_id:Uint64", "split_id:Uint64"),
            types(perm.schema()));
        Map<String, String> meta = perm.schema().getCustomMetadata();
        check(
            "perm metadata (LanceDB vs Java)",
            JSON.convertValue(w.at("/perm/schema/metadata"), TreeMap.class),
            new TreeMap<>(meta));
        check(
            "perm base_version = base version LanceDB built on",
            "2",
            meta.get(Permutations.BASE_VERSION));
        info("perm nullability as LanceDB writes it: " + nullability(perm.schema()));
        check(
            "LanceDB read: take-by-row-id agrees with scan map",
            true,
            w.get("takeAgrees").asBoolean());
        check("LanceDB read: all row_ids resolve", 0, w.get("unresolved").asInt());

        List<List<String>> lanceRowIds = strings(w.get("splitRowIds"));
        check(
            "perm row_id stored order per split (raw, Java scan vs LanceDB scan)",
            lanceRowIds,
            LanceDbCalls.rawSplits(perm));
        Permutations ps = Permutations.of(base, perm);
        List<String> names = strings1(w.get("splitNames"));
        check("Permutations.splitNames", names, ps.splitNames());
        List<List<String>> lanceSplits = strings(w.get("splits"));
        for (int k = 0; k < lanceSplits.size(); k++) {
          List<String> javaIds = ids(ps.split(k), 64);
          checkIds(
              "split " + k + " (" + names.get(k) + ") ids in order, Permutations.of vs LanceDB",
              lanceSplits.get(k),
              javaIds);
          try (Permutation<ArrowBatch> p = Permutation.fromTables(base, perm, names.get(k))) {
            check(
                "split '" + names.get(k) + "' via Permutation.fromTables(name), batch 100",
                lanceSplits.get(k),
                ids(p, 100));
          }
        }
      }

      // ---- Part 2: written here, read by LanceDB ----
      System.out.println("== Java writes jbase + jperm; LanceDB reads (node read.mjs) ==");
      List<List<String>> javaSplits = new ArrayList<>();
      List<List<String>> javaRowIds;
      List<String> javaNames;
      Schema jbaseSchema;
      Schema jpermSchema;
      long jbaseVersion;
      long jbaseRows;
      long jpermRows;
      try (Connection db =
          LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build())) {
        Table jbase;
        try (VectorSchemaRoot first = rows(allocator, 0, 500);
            VectorSchemaRoot second = rows(allocator, 500, 500)) {
          jbase = db.createTable("jbase", first);
          jbase.add(second);
        }
        try (jbase;
            Table jperm =
                Permutation.builder(jbase)
                    .splitRandom(SplitSizes.ratios(0.7, 0.3), 7, List.of("train", "test"))
                    .shuffle(3)
                    .persist(db, "jperm")) {
          jbaseSchema = jbase.schema();
          jbaseVersion = jbase.version();
          jbaseRows = jbase.countRows();
          jpermSchema = jperm.schema();
          jpermRows = jperm.countRows();
          javaRowIds = LanceDbCalls.rawSplits(jperm);
          Permutations ps = Permutations.of(jbase, jperm);
          javaNames = ps.splitNames();
          for (int k = 0; k < ps.numSplits(); k++) {
            javaSplits.add(ids(ps.split(k), 64));
          }
          check("jbase fragments >= 2", true, jbase.fragments().size() >= 2);
        }
      }
      runNode(node, scripts, "read.mjs", dir);
      JsonNode r = JSON.readTree(dir.resolve("lancedb-read.json").toFile());
      check(
          "LanceDB lists jbase and jperm",
          true,
          strings1(r.get("tableNames")).containsAll(List.of("jbase", "jperm")));
      check("jbase row count (LanceDB)", jbaseRows, r.at("/base/rows").asLong());
      check("jbase version (LanceDB)", jbaseVersion, r.at("/base/version").asLong());
      check(
          "jbase schema (Java vs LanceDB)", describe(jbaseSchema), fieldsOf(r.at("/base/schema")));
      check(
          "jbase _rowid is a row address (LanceDB)",
          List.of("0", "1", "2"),
          strings1(r.at("/base/firstRowIds")));
      check("jperm row count (LanceDB)", jpermRows, r.at("/perm/rows").asLong());
      check(
          "jperm schema types (Java vs LanceDB)",
          List.of("row_id:Uint64", "split_id:Uint64"),
          typesOf(r.at("/perm/schema")));
      check(
          "jperm metadata (Java vs LanceDB)",
          new TreeMap<>(jpermSchema.getCustomMetadata()),
          JSON.convertValue(r.at("/perm/schema/metadata"), TreeMap.class));
      check(
          "jperm base_version = jbase version",
          Long.toString(jbaseVersion),
          r.at("/perm/schema/metadata/base_version").asText(null));
      check("jperm split_names (LanceDB)", List.of("train", "test"), strings1(r.get("splitNames")));
      check("Java splitNames", List.of("train", "test"), javaNames);
      info("jperm nullability as Java writes it: " + nullability(jpermSchema));
      check(
          "LanceDB read: take-by-row-id agrees with scan map",
          true,
          r.get("takeAgrees").asBoolean());
      check("LanceDB read: all row_ids resolve", 0, r.get("unresolved").asInt());
      check(
          "jperm row_id stored order per split (Java vs LanceDB)",
          javaRowIds,
          strings(r.get("splitRowIds")));
      List<List<String>> lanceSplits = strings(r.get("splits"));
      check("jperm number of splits", javaSplits.size(), lanceSplits.size());
      for (int k = 0; k < Math.min(javaSplits.size(), lanceSplits.size()); k++) {
        checkIds(
            "jperm split " + k + " ids in order, Java vs LanceDB",
            javaSplits.get(k),
            lanceSplits.get(k));
      }

      // ---- Part 3: the same builder calls in LanceDB and here ----
      System.out.println("== Same builder calls, LanceDB (node builds.mjs) vs Java ==");
      String rows = System.getProperty("interop.rows", "50000");
      runNode(node, scripts, "builds.mjs", dir, rows);
      JsonNode b = JSON.readTree(dir.resolve("lancedb-builds.json").toFile());
      Path javaDir = dir.resolve("java-builds");
      try (Connection db =
              LanceDb.connect(
                  dir.toString(), ConnectOptions.builder().allocator(allocator).build());
          Connection out =
              LanceDb.connect(
                  javaDir.toString(), ConnectOptions.builder().allocator(allocator).build());
          Table cmp = db.openTable("cmp")) {
        check("cmp has 4 fragments", 4, cmp.fragments().size());
        BuildComparison builds = new BuildComparison(this::check);
        builds.run(b, cmp, out);
        try (Table i32 = db.openTable("calc_i32");
            Table i64 = db.openTable("calc_i64")) {
          builds.readCalculated(cmp, i32, "Int(32, true)");
          builds.readCalculated(cmp, i64, "Int(64, true)");
        }
      }

      // ---- Part 4: LanceDB's order inside unshuffled builds, over sizes and fragment layouts ----
      System.out.println("== Unshuffled builds over sizes and fragment layouts (builds.mjs) ==");
      for (String[] layout : UNSHUFFLED_LAYOUTS) {
        Path sub =
            dir.resolve("unshuffled-" + layout[0] + "-" + layout[1].length() + "-" + layout.length);
        List<String> args =
            new ArrayList<>(
                List.of(
                    layout[0],
                    scripts.resolve("unshuffled-configs.json").toString(),
                    sub.resolve("lancedb-builds.json").toString(),
                    layout[1]));
        if (layout.length > 2) {
          args.add(layout[2]); // rows LanceDB deletes before building
        }
        runNode(node, scripts, "builds.mjs", sub, args.toArray(String[]::new));
        JsonNode u = JSON.readTree(sub.resolve("lancedb-builds.json").toFile());
        try (Connection db =
                LanceDb.connect(
                    sub.toString(), ConnectOptions.builder().allocator(allocator).build());
            Connection out =
                LanceDb.connect(
                    sub.resolve("java-builds").toString(),
                    ConnectOptions.builder().allocator(allocator).build());
            Table cmp = db.openTable("cmp")) {
          check(
              "cmp of " + layout[0] + " rows has the fragments LanceDB wrote",
              u.get("fragments").asInt(),
              cmp.fragments().size());
          new BuildComparison(this::check).run(u, cmp, out);
        }
      }
    }
  }

  /**
   * Row counts and fragment cuts (fractions) of Part 4: below LanceDB's in-place sort threshold
   * (storage order), just above it, one fragment, many uneven fragments, a few hundred batches, and
   * deleted rows (a third element: deleted by LanceDB before the builds; scan batches count live
   * rows).
   */
  private static final String[][] UNSHUFFLED_LAYOUTS = {
    {"2000", "[0.3, 0.55, 0.9]"},
    {"33000", "[0.3, 0.55, 0.9]"},
    {"40000", "[]"},
    {"120000", "[0.1, 0.45, 0.5, 0.8]"},
    {"300000", "[0.6]"},
    {"80000", "[0.5]", "id % 10 = 3 OR (id >= 5000 AND id < 7000)"},
  };

  // ---- data ----

  private static VectorSchemaRoot rows(RootAllocator a, long from, int n) {
    Field item =
        new Field(
            "item",
            FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
            null);
    Schema schema =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Int(64, true)),
                Field.notNullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                new Field(
                    "vec", FieldType.notNullable(new ArrowType.FixedSizeList(4)), List.of(item))));
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, a);
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    Float4Vector x = (Float4Vector) root.getVector("x");
    FixedSizeListVector vec = (FixedSizeListVector) root.getVector("vec");
    Float4Vector items = (Float4Vector) vec.getDataVector();
    for (int i = 0; i < n; i++) {
      long v = from + i;
      id.setSafe(i, v);
      x.setSafe(i, v * 0.5f);
      vec.setNotNull(i);
      for (int j = 0; j < 4; j++) {
        items.setSafe(i * 4 + j, v + 0.25f * j);
      }
    }
    items.setValueCount(n * 4);
    root.setRowCount(n);
    return root;
  }

  /** The ids of a permutation in iteration order (closes every batch). */
  private static List<String> ids(Permutation<ArrowBatch> p, int batchSize) {
    List<String> out = new ArrayList<>();
    try (BatchIterator<ArrowBatch> it = p.iter(batchSize, false)) {
      while (it.hasNext()) {
        try (ArrowBatch b = it.next()) {
          BigIntVector id = (BigIntVector) b.column("id");
          for (int i = 0; i < b.numRows(); i++) {
            out.add(Long.toString(id.get(i)));
          }
        }
      }
    }
    return out;
  }

  // ---- schema descriptions, in the notation of apache-arrow JS's String(type) ----

  private static String typeName(Field f) {
    ArrowType t = f.getType();
    if (t instanceof ArrowType.Int i) {
      return (i.getIsSigned() ? "Int" : "Uint") + i.getBitWidth();
    }
    if (t instanceof ArrowType.FloatingPoint fp) {
      return switch (fp.getPrecision()) {
        case HALF -> "Float16";
        case SINGLE -> "Float32";
        case DOUBLE -> "Float64";
      };
    }
    if (t instanceof ArrowType.FixedSizeList l) {
      return "FixedSizeList[" + l.getListSize() + "]<" + typeName(f.getChildren().get(0)) + ">";
    }
    return t.toString();
  }

  private static List<String> describe(Schema s) {
    return s.getFields().stream()
        .map(f -> f.getName() + ":" + typeName(f) + (f.isNullable() ? "?" : ""))
        .toList();
  }

  private static List<String> types(Schema s) {
    return s.getFields().stream().map(f -> f.getName() + ":" + typeName(f)).toList();
  }

  private static String nullability(Schema s) {
    return s.getFields().stream()
        .map(f -> f.getName() + (f.isNullable() ? " nullable" : " not null"))
        .toList()
        .toString();
  }

  private static List<String> fieldsOf(JsonNode schema) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : schema.get("fields")) {
      out.add(
          f.get("name").asText()
              + ":"
              + f.get("type").asText()
              + (f.get("nullable").asBoolean() ? "?" : ""));
    }
    return out;
  }

  private static List<String> typesOf(JsonNode schema) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : schema.get("fields")) {
      out.add(f.get("name").asText() + ":" + f.get("type").asText());
    }
    return out;
  }

  private static List<String> strings1(JsonNode arr) {
    List<String> out = new ArrayList<>();
    if (arr != null && arr.isArray()) {
      arr.forEach(v -> out.add(v.asText()));
    }
    return out;
  }

  static List<List<String>> strings(JsonNode arr) {
    List<List<String>> out = new ArrayList<>();
    arr.forEach(a -> out.add(strings1(a)));
    return out;
  }

  private static String head(List<String> l) {
    return l.subList(0, Math.min(5, l.size())).toString();
  }

  // ---- reporting ----

  /** {@link #check}, the message naming {@code expected}'s size and first ids. */
  private void checkIds(String what, List<String> expected, List<String> actual) {
    check(what + " (n=" + expected.size() + ", first " + head(expected) + ")", expected, actual);
  }

  private void check(String what, Object expected, Object actual) {
    if (Objects.equals(expected, actual)) {
      passes++;
      System.out.println("PASS " + what);
    } else {
      fail(
          what,
          "expected "
              + abbreviate(expected)
              + " but got "
              + abbreviate(actual)
              + diff(expected, actual));
    }
  }

  private void fail(String what, String detail) {
    failures++;
    System.out.println("FAIL " + what + ": " + detail);
  }

  private static void info(String msg) {
    System.out.println("INFO " + msg);
  }

  private static String abbreviate(Object o) {
    String s = String.valueOf(o);
    return s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
  }

  private static String diff(Object a, Object b) {
    if (a instanceof List<?> x && b instanceof List<?> y) {
      int n = Math.min(x.size(), y.size());
      for (int i = 0; i < n; i++) {
        if (!Objects.equals(x.get(i), y.get(i))) {
          return " (sizes "
              + x.size()
              + " vs "
              + y.size()
              + ", first difference at index "
              + i
              + ")";
        }
      }
      return " (sizes " + x.size() + " vs " + y.size() + ")";
    }
    return "";
  }

  private static void runNode(String node, Path scripts, String script, Path dir, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of(node, scripts.resolve(script).toString(), dir.toString()));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .directory(scripts.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .start();
    int rc = p.waitFor();
    if (rc != 0) {
      throw new IllegalStateException("node " + script + " exited with " + rc);
    }
  }
}
