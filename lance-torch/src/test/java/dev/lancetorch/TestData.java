package dev.lancetorch;

import dev.lancetorch.internal.arrow.RootReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.lance.Dataset;
import org.lance.WriteDatasetBuilder;
import org.lance.WriteParams;

/** Shared fixtures: rows (id, val = id * 0.5, name = "r" + id). */
final class TestData {
  static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("val", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.nullable("name", ArrowType.Utf8.INSTANCE)));

  private TestData() {}

  /** Rows with ids [from, from + n); caller closes. */
  static VectorSchemaRoot rows(BufferAllocator a, long from, int n) {
    VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a);
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    Float8Vector val = (Float8Vector) root.getVector("val");
    VarCharVector name = (VarCharVector) root.getVector("name");
    for (int i = 0; i < n; i++) {
      long v = from + i;
      id.setSafe(i, v);
      val.setSafe(i, v * 0.5);
      name.setSafe(i, ("r" + v).getBytes(StandardCharsets.UTF_8));
    }
    root.setRowCount(n);
    return root;
  }

  /** A new table {@code name} in {@code db} of the {@link #rows} with ids [0, n); caller closes. */
  /** Lance's SDK writing {@code root} to a new dataset at {@code uri}; the caller executes it. */
  static WriteDatasetBuilder sdkCreate(BufferAllocator a, VectorSchemaRoot root, Path uri) {
    return Dataset.write()
        .allocator(a)
        .reader(new RootReader(a, root))
        .uri(uri.toString())
        .mode(WriteParams.WriteMode.CREATE);
  }

  static Table table(Connection db, String name, BufferAllocator a, int n) {
    try (VectorSchemaRoot r = rows(a, 0, n)) {
      return db.createTable(name, r);
    }
  }

  /** All ids of a reader, in order; closes the reader. */
  static List<Long> ids(ArrowReader reader) throws Exception {
    List<Long> out = new ArrayList<>();
    try (reader) {
      while (reader.loadNextBatch()) {
        BigIntVector id = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
        for (int i = 0; i < id.getValueCount(); i++) {
          out.add(id.get(i));
        }
      }
    }
    return out;
  }

  static List<Long> range(long from, long n) {
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(from + i);
    }
    return out;
  }
}
