package dev.lancetorch;

import dev.lancetorch.internal.arrow.FixedSchemaReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Run in its own JVM by {@link BadWriteTest}: data Lance 7.0.0 panics on (and so aborts the JVM)
 * handed to every write path. Prints one {@code CASE <name>: ...} line per case and {@code ALL
 * CASES RETURNED} at the end; exit code 0 means no abort.
 */
public final class BadWriteMain {
  private BadWriteMain() {}

  static final Field FLOAT =
      Field.nullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));

  static Schema vectors(int width) {
    return new Schema(
        List.of(
            Field.nullable("id", new ArrowType.Int(64, true)),
            new Field(
                "v", FieldType.nullable(new ArrowType.FixedSizeList(width)), List.of(FLOAT))));
  }

  /** {@code rows} rows of (id, v) with fixed-size lists of {@code width}; caller closes. */
  static VectorSchemaRoot vectorRows(BufferAllocator a, int width, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(vectors(width), a);
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    FixedSizeListVector v = (FixedSizeListVector) root.getVector("v");
    Float4Vector items = (Float4Vector) v.getDataVector();
    for (int r = 0; r < rows; r++) {
      id.setSafe(r, r);
      v.setNotNull(r);
      for (int k = 0; k < width; k++) {
        items.setSafe(r * width + k, r + k * 0.1f);
      }
    }
    items.setValueCount(rows * width);
    root.setRowCount(rows);
    return root;
  }

  /** A root saying 10 rows over vectors of {@code valueCount} values (no copy of {@code src}). */
  static VectorSchemaRoot claiming(VectorSchemaRoot src, int rows) {
    List<FieldVector> vs = src.getFieldVectors();
    return new VectorSchemaRoot(src.getSchema(), vs, rows);
  }

  /** One good batch of 4 rows, then {@code bad} (not closed here: the caller owns it). */
  static final class SecondBatchBad extends FixedSchemaReader {
    private final VectorSchemaRoot good;
    private final VectorSchemaRoot bad;
    private VectorSchemaRoot current;

    SecondBatchBad(BufferAllocator a, VectorSchemaRoot good, VectorSchemaRoot bad) {
      super(a, good.getSchema());
      this.good = good;
      this.bad = bad;
    }

    @Override
    public VectorSchemaRoot getVectorSchemaRoot() {
      return current == null ? good : current;
    }

    @Override
    public boolean loadNextBatch() {
      if (current == bad) {
        return false;
      }
      current = current == null ? good : bad;
      return true;
    }
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    try (RootAllocator a = new RootAllocator();
        Connection db =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(a).build())) {
      attempt(
          "rows float[0]",
          () ->
              db.createTable(
                  "r0", List.of(Map.of("id", 1L, "v", new float[0]), Map.of("id", 2L)))); // 1
      attempt(
          "root FixedSizeList(0)",
          () -> {
            try (VectorSchemaRoot r = vectorRows(a, 0, 3)) {
              return db.createTable("f0", r);
            }
          });
      attempt("empty FixedSizeList(0)", () -> db.createEmptyTable("e0", vectors(0)));
      try (Table t = db.createEmptyTable("e4", vectors(4))) {
        attempt(
            "add FixedSizeList(0)",
            () -> {
              try (VectorSchemaRoot r = vectorRows(a, 0, 3)) {
                t.add(r);
                return t;
              }
            });
        attempt(
            "add rows float[0]",
            () -> {
              t.add(List.of(Map.of("id", 1L, "v", new float[0])));
              return t;
            });
        // item 2: more rows than values
        attempt(
            "add root rows > values",
            () -> {
              try (VectorSchemaRoot r = vectorRows(a, 4, 5)) {
                t.add(claiming(r, 1000));
                return t;
              }
            });
        attempt(
            "add fixed-size-list child shorter than rows x width",
            () -> {
              try (VectorSchemaRoot r = vectorRows(a, 4, 1000)) {
                ((FixedSizeListVector) r.getVector("v")).getDataVector().setValueCount(40);
                t.add(r);
                return t;
              }
            });
        attempt(
            "add reader whose second batch is short",
            () -> {
              try (VectorSchemaRoot good = vectorRows(a, 4, 4);
                  VectorSchemaRoot bad = vectorRows(a, 4, 5)) {
                t.add(new SecondBatchBad(a, good, claiming(bad, 1000)));
                return t;
              }
            });
        System.out.println("rows after the refused adds: " + t.countRows());
      }
      attempt(
          "create root rows > values",
          () -> {
            try (VectorSchemaRoot r = vectorRows(a, 4, 5)) {
              return db.createTable("c1", claiming(r, 1000));
            }
          });
      attempt(
          "create reader whose second batch is short",
          () -> {
            try (VectorSchemaRoot good = vectorRows(a, 4, 4);
                VectorSchemaRoot bad = vectorRows(a, 4, 5)) {
              return db.createTable("c2", new SecondBatchBad(a, good, claiming(bad, 1000)));
            }
          });
      System.out.println("tables: " + db.tableNames());
    }
    System.out.println("ALL CASES RETURNED");
  }

  interface Write {
    Object run() throws Exception;
  }

  static void attempt(String name, Write write) {
    try {
      Object r = write.run();
      if (r instanceof Table t && !t.isPinned()) {
        t.close();
      }
      System.out.println("CASE " + name + ": returned");
    } catch (Exception e) {
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      System.out.println("CASE " + name + ": threw " + e.getClass().getSimpleName() + ": " + first);
    }
  }
}
