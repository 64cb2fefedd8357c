package dev.lancetorch.bench;

import dev.lancetorch.Connection;
import dev.lancetorch.Table;
import dev.lancetorch.internal.arrow.FixedSchemaReader;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Benchmark tables: {@code a,b,c,d: float32} and optionally {@code emb: FixedSizeList<float32,
 * 16>}.
 */
final class BenchData {
  static final int DIM = 16;
  static final List<String> SCALARS = List.of("a", "b", "c", "d");

  private BenchData() {}

  static Schema schema(boolean withEmbedding) {
    ArrowType f32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    List<Field> fields = new ArrayList<>();
    for (String c : SCALARS) {
      fields.add(Field.notNullable(c, f32));
    }
    if (withEmbedding) {
      fields.add(
          new Field(
              "emb",
              FieldType.notNullable(new ArrowType.FixedSizeList(DIM)),
              List.of(Field.notNullable("item", f32))));
    }
    return new Schema(fields);
  }

  /** The table, created with {@code rows} rows unless it exists with that many. */
  static Table openOrCreate(Connection db, String name, long rows, boolean withEmbedding) {
    if (db.tableNames().contains(name)) {
      Table t = db.openTable(name);
      if (t.countRows() == rows) {
        return t;
      }
      t.close();
      db.dropTable(name);
    }
    return db.createTable(name, new Generator(db.allocator(), schema(withEmbedding), rows));
  }

  /** Streams generated rows in batches of 256k. */
  static final class Generator extends FixedSchemaReader {
    private final long rows;
    private long done;

    Generator(BufferAllocator a, Schema schema, long rows) {
      super(a, schema);
      this.rows = rows;
    }

    @Override
    public boolean loadNextBatch() throws java.io.IOException {
      VectorSchemaRoot root = getVectorSchemaRoot();
      int n = (int) Math.min(1 << 18, rows - done);
      if (n <= 0) {
        return false;
      }
      for (int k = 0; k < SCALARS.size(); k++) {
        Float4Vector v = (Float4Vector) root.getVector(SCALARS.get(k));
        v.allocateNew(n);
        for (int i = 0; i < n; i++) {
          v.set(i, (done + i) * (k + 1));
        }
        v.setValueCount(n);
      }
      if (root.getVector("emb") instanceof FixedSizeListVector emb) {
        emb.allocateNew();
        Float4Vector items = (Float4Vector) emb.getDataVector();
        items.allocateNew(n * DIM);
        for (int i = 0; i < n; i++) {
          emb.setNotNull(i);
          for (int j = 0; j < DIM; j++) {
            items.set(i * DIM + j, done + i + j * 0.01f);
          }
        }
        items.setValueCount(n * DIM);
        emb.setValueCount(n);
      }
      root.setRowCount(n);
      done += n;
      return true;
    }
  }
}
