package dev.lancetorch.permutation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lancetorch.Connection;
import dev.lancetorch.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * LanceDB builder calls as JSON (the {@code permutationBuilder} options of LanceDB's Node package,
 * as in interop/js/builds-configs.json) turned into the same lance-torch calls, and the comparison
 * table {@code cmp} of interop/js/builds.mjs: the same values row by row, in the same 4 uneven
 * fragments.
 */
public final class LanceDbCalls {
  private LanceDbCalls() {}

  /** The lance-torch builder for one LanceDB call description. */
  public static PermutationBuilder builder(Table base, JsonNode c) {
    PermutationBuilder b = Permutation.builder(base);
    if (c.has("filter")) {
      b = b.filter(c.get("filter").asText());
    }
    if (c.has("random")) {
      JsonNode r = c.get("random");
      b =
          b.splitRandom(
              sizes(r),
              r.get("seed").asLong(),
              r.has("clumpSize") ? r.get("clumpSize").asInt() : 1,
              null);
    }
    if (c.has("sequential")) {
      b = b.splitSequential(sizes(c.get("sequential")));
    }
    if (c.has("hash")) {
      JsonNode h = c.get("hash");
      List<String> cols = new ArrayList<>();
      h.get("columns").forEach(x -> cols.add(x.asText()));
      long[] w = new long[h.get("splitWeights").size()];
      for (int k = 0; k < w.length; k++) {
        w[k] = h.get("splitWeights").get(k).asLong();
      }
      b = b.splitHash(cols, w, h.has("discardWeight") ? h.get("discardWeight").asLong() : 0, null);
    }
    if (c.has("calculated")) {
      b = b.splitCalculated(c.get("calculated").get("calculation").asText(), null);
    }
    if (c.has("shuffle")) {
      JsonNode s = c.get("shuffle");
      b = b.shuffle(s.get("seed").asLong(), s.has("clumpSize") ? s.get("clumpSize").asInt() : 1);
    }
    return b;
  }

  private static SplitSizes sizes(JsonNode s) {
    if (s.has("ratios")) {
      double[] r = new double[s.get("ratios").size()];
      for (int k = 0; k < r.length; k++) {
        r[k] = s.get("ratios").get(k).asDouble();
      }
      return SplitSizes.ratios(r);
    }
    if (s.has("counts")) {
      long[] n = new long[s.get("counts").size()];
      for (int k = 0; k < n.length; k++) {
        n[k] = s.get("counts").get(k).asLong();
      }
      return SplitSizes.counts(n);
    }
    return SplitSizes.fixed(s.get("fixed").asInt());
  }

  /** row_id (unsigned, as text) per split_id, in the stored order of a permutation table. */
  public static List<List<String>> rawSplits(Table perm) {
    List<List<String>> out = new ArrayList<>();
    try (ArrowReader reader = perm.query().select("row_id", "split_id").toArrowReader()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        BaseIntVector ids = (BaseIntVector) root.getVector("row_id");
        BaseIntVector splits = (BaseIntVector) root.getVector("split_id");
        for (int i = 0; i < root.getRowCount(); i++) {
          int s = (int) splits.getValueAsLong(i);
          while (out.size() <= s) {
            out.add(new ArrayList<>());
          }
          out.get(s).add(Long.toUnsignedString(ids.getValueAsLong(i)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static Schema compatSchema() {
    return new Schema(
        List.of(
            Field.notNullable("id", new ArrowType.Int(64, true)),
            Field.notNullable("i32", new ArrowType.Int(32, true)),
            Field.notNullable("f", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            Field.notNullable("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
            Field.nullable("s", ArrowType.Utf8.INSTANCE),
            Field.notNullable("label", new ArrowType.Int(32, true)),
            Field.notNullable("flag", ArrowType.Bool.INSTANCE)));
  }

  /** builds.mjs's {@code cmp}: {@code n} rows cut at 30%, 55%, 90% into 4 fragments. */
  public static Table createCompatTable(Connection db, BufferAllocator a, String name, int n) {
    int[] cuts = {
      0, (int) Math.floor(n * 0.3), (int) Math.floor(n * 0.55), (int) Math.floor(n * 0.9), n
    };
    Table t;
    try (VectorSchemaRoot first = compatRows(a, cuts[0], cuts[1])) {
      t = db.createTable(name, first);
    }
    for (int f = 1; f < 4; f++) {
      try (VectorSchemaRoot more = compatRows(a, cuts[f], cuts[f + 1])) {
        t.add(more);
      }
    }
    return t;
  }

  private static VectorSchemaRoot compatRows(BufferAllocator a, int from, int to) {
    VectorSchemaRoot root = VectorSchemaRoot.create(compatSchema(), a);
    root.allocateNew();
    for (int i = from; i < to; i++) {
      int r = i - from;
      ((BigIntVector) root.getVector("id")).setSafe(r, i);
      ((IntVector) root.getVector("i32")).setSafe(r, (i * 37) % 1000 - 500);
      ((Float8Vector) root.getVector("f")).setSafe(r, i * 0.25);
      ((Float4Vector) root.getVector("f32")).setSafe(r, (i % 500) * 0.5f);
      VarCharVector s = (VarCharVector) root.getVector("s");
      if (i % 11 == 3) {
        s.setNull(r);
      } else {
        s.setSafe(
            r,
            ("row-" + ((long) i * 7919 % 100003) + "-".repeat(i % 31))
                .getBytes(StandardCharsets.UTF_8));
      }
      ((IntVector) root.getVector("label")).setSafe(r, i % 10);
      ((BitVector) root.getVector("flag")).setSafe(r, i % 3 == 0 ? 1 : 0);
    }
    root.setRowCount(to - from);
    return root;
  }
}
