package dev.lancetorch.permutation;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;

/**
 * Run in its own JVM by {@link DiskCacheProcessesTest}: reads table {@code t} of the database
 * {@code args[0]} through the permutation table {@code args[2]} with a disk cache in {@code
 * args[1]}, first filling the cache ({@code fillCache()}), then one epoch; prints {@code READY}
 * once the permutation is open, then {@code DIGEST <hex>} (every value of every row, in order) and
 * {@code STATS filled=<n> opened=<n>}.
 */
public final class DiskCacheReadMain {
  private DiskCacheReadMain() {}

  public static void main(String[] args) throws Exception {
    try (RootAllocator allocator = new RootAllocator();
        Connection db =
            LanceDb.connect(args[0], ConnectOptions.builder().allocator(allocator).build());
        Table t = db.openTable("t");
        Table permTable = db.openTable(args[2])) {
      Permutation<ArrowBatch> base = Permutation.fromTables(t, permTable).withBatchSize(1000);
      try (Permutation<ArrowBatch> p =
          base.withCache(CacheOptions.disk(Path.of(args[1]), 1L << 32)).reopen()) {
        System.out.println("READY");
        System.out.flush();
        p.fillCache();
        System.out.println("DIGEST " + digest(p));
        CacheStats s = p.cacheStats();
        System.out.println(
            "STATS filled=" + s.fragmentsFilled() + " opened=" + s.fragmentsOpened());
      }
    }
  }

  /** A hash of every value of every row in the order read (ids, vectors, names). */
  public static String digest(Permutation<ArrowBatch> p) throws Exception {
    java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 64);
    for (ArrowBatch batch : p) {
      try (batch) {
        VectorSchemaRoot r = batch.root();
        BigIntVector id = (BigIntVector) r.getVector("id");
        FixedSizeListVector vec = (FixedSizeListVector) r.getVector("vec");
        Float4Vector items = (Float4Vector) vec.getDataVector();
        VarCharVector name = (VarCharVector) r.getVector("name");
        for (int i = 0; i < r.getRowCount(); i++) {
          b.clear();
          b.putLong(id.get(i));
          for (int k = 0; k < 16; k++) {
            b.putFloat(items.get(i * 16 + k));
          }
          d.update(b.array());
          d.update(name.isNull(i) ? new byte[] {0} : name.get(i));
        }
      }
    }
    return java.util.HexFormat.of().formatHex(d.digest());
  }

  /** Rows [from, from + n) of table {@code t}: id, vec (16 floats from the id), name. */
  public static VectorSchemaRoot rows(org.apache.arrow.memory.BufferAllocator a, int from, int n) {
    org.apache.arrow.vector.types.pojo.Schema schema =
        new org.apache.arrow.vector.types.pojo.Schema(
            List.of(
                org.apache.arrow.vector.types.pojo.Field.notNullable(
                    "id", new org.apache.arrow.vector.types.pojo.ArrowType.Int(64, true)),
                new org.apache.arrow.vector.types.pojo.Field(
                    "vec",
                    org.apache.arrow.vector.types.pojo.FieldType.notNullable(
                        new org.apache.arrow.vector.types.pojo.ArrowType.FixedSizeList(16)),
                    List.of(
                        org.apache.arrow.vector.types.pojo.Field.notNullable(
                            "item",
                            new org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint(
                                org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)))),
                org.apache.arrow.vector.types.pojo.Field.nullable(
                    "name", org.apache.arrow.vector.types.pojo.ArrowType.Utf8.INSTANCE)));
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, a);
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    FixedSizeListVector vec = (FixedSizeListVector) root.getVector("vec");
    Float4Vector items = (Float4Vector) vec.getDataVector();
    VarCharVector name = (VarCharVector) root.getVector("name");
    for (int r = 0; r < n; r++) {
      long i = from + r;
      id.setSafe(r, i);
      vec.setNotNull(r);
      for (int k = 0; k < 16; k++) {
        items.setSafe(r * 16 + k, i * 0.25f + k);
      }
      if (i % 10 == 3) {
        name.setNull(r);
      } else {
        name.setSafe(r, ("row-" + i).getBytes(StandardCharsets.UTF_8));
      }
    }
    root.setRowCount(n);
    return root;
  }
}
