package dev.lancetorch.permutation;

import static dev.lancetorch.permutation.VariableLengthPlannerTest.allIds;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.clumps;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.readTensors;
import static dev.lancetorch.permutation.VariableLengthPlannerTest.shuffled;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lancetorch.Connection;
import dev.lancetorch.Table;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * Disk-cache files that keep several fixed-width columns as packed rows (a row's values side by
 * side) and short binary / utf8 values in row slots: every integer width, signed and unsigned,
 * float32/64, fixed-size lists of floats and integers, null rows and null list items, a bool and a
 * long utf8 column between them (not packed), utf8, large utf8 and binary slots with nulls, empty
 * values and values of 12 bytes (in the slot) and 13 or 14 (in the data); read from the files in
 * epoch 1 (while they fill), epoch 2, a new handle, clumps, deleted rows and a new version, as
 * Arrow batches and as tensors — every value equal to the read without a cache. The files really
 * are packed (their footers' strides), and a file whose packed rows were corrupted is dropped and
 * refilled.
 */
class PackedRowsCacheTest extends CachedTableFixture {
  static final int FRAGS = VariableLengthPlannerTest.FRAGS;
  static final int PER = VariableLengthPlannerTest.PER;
  static final int N = FRAGS * PER;
  static final List<String> ALL =
      List.of("id", "b", "flag", "h", "u", "s", "f", "d", "v", "w", "i", "ls", "edge", "txt");
  static final List<String> NON_NULL = List.of("id", "h", "u", "d", "w", "i", "ls");

  /**
   * Bytes a packed row: id 8, b 1, h 2, u 4, f 4, d 8, v 3 × 4, w 2 × 8, i 4, then a 16-byte slot
   * for each of s, ls and edge (mostly short values; txt's are long: no slot).
   */
  static final long STRIDE = 8 + 1 + 2 + 4 + 4 + 8 + 12 + 16 + 4 + 3 * 16;

  @Override
  Table createTable(Connection db) {
    Table t;
    try (VectorSchemaRoot first = rows(db.allocator(), 0, PER)) {
      t = db.createTable("p", first);
    }
    for (int f = 1; f < FRAGS; f++) {
      try (VectorSchemaRoot more = rows(db.allocator(), f * PER, PER)) {
        t.add(more);
      }
    }
    return t;
  }

  static Schema schema() {
    ArrowType f32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    return new Schema(
        List.of(
            Field.notNullable("id", new ArrowType.Int(64, true)),
            Field.nullable("b", new ArrowType.Int(8, true)),
            Field.nullable("flag", ArrowType.Bool.INSTANCE),
            Field.notNullable("h", new ArrowType.Int(16, true)),
            Field.notNullable("u", new ArrowType.Int(32, false)),
            Field.nullable("s", ArrowType.Utf8.INSTANCE),
            Field.nullable("f", f32),
            Field.notNullable("d", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            new Field(
                "v",
                FieldType.nullable(new ArrowType.FixedSizeList(3)),
                List.of(Field.nullable("item", f32))),
            new Field(
                "w",
                FieldType.notNullable(new ArrowType.FixedSizeList(2)),
                List.of(Field.notNullable("item", new ArrowType.Int(64, true)))),
            Field.notNullable("i", new ArrowType.Int(32, true)),
            Field.notNullable("ls", ArrowType.LargeUtf8.INSTANCE),
            Field.nullable("edge", ArrowType.Binary.INSTANCE),
            Field.nullable("txt", ArrowType.Utf8.INSTANCE)));
  }

  /** {@code edge}'s value: 0 to 14 bytes (12 and 13 among them: inline, and not). */
  static byte[] edge(int i) {
    byte[] b = new byte[i % 15];
    for (int k = 0; k < b.length; k++) {
      b[k] = (byte) (i * 7 + k);
    }
    return b;
  }

  /** Rows [from, from + n): values from the id, nulls at fixed strides of it. */
  static VectorSchemaRoot rows(BufferAllocator a, int from, int n) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema(), a);
    root.allocateNew();
    FixedSizeListVector v = (FixedSizeListVector) root.getVector("v");
    FixedSizeListVector w = (FixedSizeListVector) root.getVector("w");
    Float4Vector vItems = (Float4Vector) v.getDataVector();
    BigIntVector wItems = (BigIntVector) w.getDataVector();
    vItems.allocateNew(3 * n);
    wItems.allocateNew(2 * n);
    for (int r = 0; r < n; r++) {
      int i = from + r;
      ((BigIntVector) root.getVector("id")).setSafe(r, i);
      if (i % 7 == 3) {
        ((TinyIntVector) root.getVector("b")).setNull(r);
      } else {
        ((TinyIntVector) root.getVector("b")).setSafe(r, (byte) (i * 13));
      }
      ((BitVector) root.getVector("flag")).setSafe(r, i % 3 == 0 ? 1 : 0);
      ((SmallIntVector) root.getVector("h")).setSafe(r, (short) (i * 37 - 20_000));
      ((UInt4Vector) root.getVector("u")).setSafe(r, (int) (3_000_000_000L + i * 11L));
      if (i % 9 == 4) {
        ((VarCharVector) root.getVector("s")).setNull(r);
      } else {
        ((VarCharVector) root.getVector("s")).setSafe(r, ("s" + i).getBytes());
      }
      if (i % 5 == 1) {
        ((Float4Vector) root.getVector("f")).setNull(r);
      } else {
        ((Float4Vector) root.getVector("f")).setSafe(r, i / 8f);
      }
      ((Float8Vector) root.getVector("d")).setSafe(r, i * 1.5e10);
      if (i % 11 == 2) {
        v.setNull(r);
      } else {
        v.setNotNull(r);
      }
      for (int k = 0; k < 3; k++) {
        if ((i + k) % 13 == 0) {
          vItems.setNull(3 * r + k);
        } else {
          vItems.setSafe(3 * r + k, i + k / 4f);
        }
      }
      w.setNotNull(r);
      wItems.setSafe(2 * r, i * 1_000_000_007L);
      wItems.setSafe(2 * r + 1, -i);
      ((IntVector) root.getVector("i")).setSafe(r, i * 3);
      ((org.apache.arrow.vector.LargeVarCharVector) root.getVector("ls"))
          .setSafe(
              r, ("é" + i % 100).repeat(i % 3).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      if (i % 8 == 6) {
        ((org.apache.arrow.vector.VarBinaryVector) root.getVector("edge")).setNull(r);
      } else {
        ((org.apache.arrow.vector.VarBinaryVector) root.getVector("edge")).setSafe(r, edge(i));
      }
      if (i % 10 == 9) {
        ((VarCharVector) root.getVector("txt")).setNull(r);
      } else {
        ((VarCharVector) root.getVector("txt"))
            .setSafe(r, ("a caption of row " + i + " that runs long").getBytes());
      }
    }
    root.setRowCount(n);
    return root;
  }

  List<List<String>> rows(Permutation<ArrowBatch> p, boolean planned) {
    return VariableLengthPlannerTest.read(p, p.columnNames(), new ArrayList<>(), planned);
  }

  /** The JSON footer of a cache file (its trailer says where it is). */
  static JsonNode footer(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      byte[] t = new byte[40];
      f.seek(f.length() - 40);
      f.readFully(t);
      ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
      long at = b.getLong();
      int len = (int) b.getLong();
      byte[] json = new byte[len];
      f.seek(at);
      f.readFully(json);
      return new ObjectMapper().readTree(json);
    }
  }

  @Test
  void packedFilesReadEveryValueAsTheSourceDoes() throws Exception {
    long[] addrs = shuffled(allIds(), 3);
    Permutation<ArrowBatch> base = permutation(table, addrs, ALL, 50).withReadAhead(64 << 10);
    List<List<String>> ref = rows(base.withReadAhead(0), false);
    CacheOptions opts = CacheOptions.disk(cacheDir, 1L << 30);
    try (Permutation<ArrowBatch> p = base.withCache(opts).reopen()) {
      assertThat(rows(p, true)).as("epoch 1, filling").isEqualTo(ref);
      p.fillCache();
      long served = p.cacheStats().rowsServed();
      assertThat(rows(p, true)).as("epoch 2").isEqualTo(ref);
      assertThat(p.cacheStats().rowsServed() - served).isEqualTo(N);
    }
    List<Path> files = cacheFiles();
    assertThat(files).hasSize(FRAGS);
    for (Path f : files) {
      JsonNode footer = footer(f);
      assertThat(footer.get("version").asInt()).isEqualTo(2);
      List<Long> strides = new ArrayList<>();
      footer.get("strides").forEach(s -> strides.add(s.asLong()));
      // id b flag h u s f d v w i ls edge txt: bool and the long utf8 are not packed
      long p = STRIDE;
      assertThat(strides)
          .as("packed columns of %s", f)
          .containsExactly(p, p, 0L, p, p, p, p, p, p, p, p, p, p, 0L);
      List<Long> places = new ArrayList<>();
      footer.get("places").forEach(s -> places.add(s.asLong()));
      assertThat(places)
          .as("numbers in schema order, then slots")
          .containsExactly(0L, 8L, -1L, 9L, 11L, 59L, 15L, 19L, 27L, 39L, 55L, 75L, 91L, -1L);
      for (JsonNode block : footer.get("blocks")) {
        assertThat(block.get("packed").get(1).asLong())
            .isEqualTo(block.get("rows").asLong() * STRIDE);
      }
    }
    // a new handle opens the files; other orders and column subsets read the same packed rows
    try (Permutation<ArrowBatch> p = base.withCache(opts).reopen()) {
      assertThat(rows(p, true)).isEqualTo(ref);
      assertThat(p.cacheStats().fragmentsOpened()).isEqualTo(FRAGS);
      assertThat(p.cacheStats().fragmentsFilled()).isZero();
    }
    for (long[] other : List.of(clumps(allIds(), 37, 4), shuffled(allIds(), 17))) {
      Permutation<ArrowBatch> q = permutation(table, other, ALL, 33);
      try (Permutation<ArrowBatch> c = q.withCache(opts)) {
        assertThat(rows(c, true)).isEqualTo(rows(q.withReadAhead(0), false));
      }
    }
  }

  @Test
  void tensorsFromPackedFilesEqualTheUncachedRead() {
    long[] addrs = shuffled(allIds(), 8);
    Permutation<ArrowBatch> p = permutation(table, addrs, NON_NULL, 64);
    Permutation<ArrowBatch> nulls =
        permutation(table, addrs, List.of("id", "b", "f", "v", "d", "s", "edge", "txt"), 64)
            .withNullFill(0);
    for (Permutation<ArrowBatch> q : List.of(p, nulls)) {
      List<Map<String, String>> ref =
          readTensors(q.withFormat(Format.TORCH_DICT).withReadAhead(0), false);
      try (Permutation<TensorDict> c =
          q.withFormat(Format.TORCH_DICT)
              .withCache(CacheOptions.disk(cacheDir, 1L << 30))
              .reopen()) {
        assertThat(readTensors(c, true)).as("epoch 1").isEqualTo(ref);
        c.fillCache();
        assertThat(readTensors(c, true)).as("epoch 2").isEqualTo(ref);
        assertThat(c.cacheStats().rowsServed()).isGreaterThanOrEqualTo(N);
      }
    }
  }

  @Test
  void deletedRowsAndANewVersionOverPackedFiles() throws Exception {
    CacheOptions opts = CacheOptions.disk(cacheDir, 1L << 30);
    try (Permutation<ArrowBatch> p =
        permutation(table, shuffled(allIds(), 5), ALL, 64).withCache(opts).reopen()) {
      p.fillCache();
    }
    try (org.lance.Dataset other =
        org.lance.Dataset.open(
            allocator, table.uri(), new org.lance.ReadOptions.Builder().build())) {
      other.delete("id >= 320 AND id < 380 OR id % 7 = 2 AND id >= 300 AND id < 600");
    }
    try (Table latest = table.checkoutLatest()) {
      List<Long> live = new ArrayList<>();
      for (long i = 0; i < N; i++) {
        if (!((i >= 320 && i < 380) || (i % 7 == 2 && i >= 300 && i < 600))) {
          live.add(i);
        }
      }
      Permutation<ArrowBatch> q = permutation(latest, shuffled(live, 9), ALL, 50);
      List<List<String>> ref = rows(q.withReadAhead(0), false);
      try (Permutation<ArrowBatch> c = q.withCache(opts).reopen()) {
        c.fillCache();
        assertThat(c.cacheStats().fragmentsOpened()).isEqualTo(2);
        assertThat(c.cacheStats().fragmentsFilled()).isEqualTo(1); // the one with deletions
        assertThat(rows(c, true)).isEqualTo(ref);
        assertThat(c.cacheStats().rowsServed()).isEqualTo(live.size());
      }
    }
  }

  @Test
  void corruptedPackedRowsAreDroppedAndRefilled() throws Exception {
    long[] addrs = shuffled(allIds(), 12);
    CacheOptions opts = CacheOptions.disk(cacheDir, 1L << 30);
    Permutation<ArrowBatch> base = permutation(table, addrs, ALL, 64);
    List<List<String>> ref = refAfterFill(base, opts);
    Path file = cacheFiles().get(0);
    JsonNode block = footer(file).get("blocks").get(0);
    long at = block.get("packed").get(0).asLong() + 5 * STRIDE + 9; // row 5's h
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x21);
    }
    try (Permutation<ArrowBatch> p = base.withCache(opts).reopen()) {
      assertThat(rows(p, true)).isEqualTo(ref);
      p.fillCache();
      assertThat(p.cacheStats().filesDropped()).isEqualTo(1);
      assertThat(rows(p, true)).isEqualTo(ref);
    }
  }
}
