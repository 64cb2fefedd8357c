package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.memory.TensorMemory;
import dev.lancetorch.internal.read.ReadColumns;
import dev.lancetorch.internal.read.ReadCosts;
import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.internal.read.WindowReader;
import dev.lancetorch.torch.BridgeStats;
import dev.lancetorch.torch.PadOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Variable-length columns through the read planner ({@link WindowReader}): {@code list<int32>},
 * {@code large_list<int64>}, {@code list<float>}, binary, utf8 and their large forms, with null
 * rows, null list items, empty strings and lists, over several fragments with deleted rows. Every
 * planned read (scan + native merge, take, split parts, several windows; ARROW, jagged and padded
 * tensor formats) equals the unplanned read (one take per batch), every value, in the exact order
 * and batch sizes; every native batch is released and both allocators are at zero after each test.
 */
class VariableLengthPlannerTest {
  static final int FRAGS = 3;
  static final int PER = 300;
  static final int N = FRAGS * PER;

  /** Every column; {@code id} first (the row's id, for the order). */
  static final List<String> ALL =
      List.of("id", "name", "lname", "bin", "lbin", "tok", "ltok", "emb");

  /** The columns without nulls (tensor formats refuse nulls). */
  static final List<String> NON_NULL = List.of("id", "lname", "lbin", "ltok", "emb");

  @TempDir Path dir;
  RootAllocator allocator;
  Connection db;
  Table table;
  long tensorBytesBefore;

  @BeforeEach
  void createTable() {
    tensorBytesBefore = TensorMemory.allocatedBytes();
    allocator = new RootAllocator();
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
    table = createTable(db);
  }

  /** Table {@code v}: {@link #FRAGS} fragments of {@link #PER} rows ({@link #rows}). */
  static Table createTable(Connection db) {
    Table t;
    try (VectorSchemaRoot first = rows(db.allocator(), 0, PER)) {
      t = db.createTable("v", first);
    }
    for (int f = 1; f < FRAGS; f++) {
      try (VectorSchemaRoot more = rows(db.allocator(), f * PER, PER)) {
        t.add(more);
      }
    }
    return t;
  }

  @AfterEach
  void everythingReleased() {
    table.close();
    db.close();
    allocator.close(); // throws if any Arrow buffer leaked
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
    assertThat(TensorMemory.allocatedBytes()).isEqualTo(tensorBytesBefore);
  }

  static String name(int i) {
    return i % 13 == 0 ? "" : "n" + i + "é".repeat(i % 5) + "x".repeat(i % 17);
  }

  static byte[] bytes(int i, int len) {
    byte[] b = new byte[len];
    for (int k = 0; k < len; k++) {
      b[k] = (byte) (i * 31 + k);
    }
    return b;
  }

  static Schema schema() {
    ArrowType f32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    return new Schema(
        List.of(
            Field.notNullable("id", new ArrowType.Int(64, true)),
            Field.nullable("name", ArrowType.Utf8.INSTANCE),
            Field.nullable("lname", ArrowType.LargeUtf8.INSTANCE),
            Field.nullable("bin", ArrowType.Binary.INSTANCE),
            Field.nullable("lbin", ArrowType.LargeBinary.INSTANCE),
            new Field(
                "tok",
                org.apache.arrow.vector.types.pojo.FieldType.nullable(ArrowType.List.INSTANCE),
                List.of(Field.nullable("item", new ArrowType.Int(32, true)))),
            new Field(
                "ltok",
                org.apache.arrow.vector.types.pojo.FieldType.nullable(ArrowType.LargeList.INSTANCE),
                List.of(Field.nullable("item", new ArrowType.Int(64, true)))),
            new Field(
                "emb",
                org.apache.arrow.vector.types.pojo.FieldType.nullable(ArrowType.List.INSTANCE),
                List.of(Field.nullable("item", f32)))));
  }

  /** Rows [from, from + n): null rows, null items, empty values at fixed strides of the id. */
  static VectorSchemaRoot rows(BufferAllocator a, int from, int n) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema(), a);
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector nameV = (VarCharVector) root.getVector("name");
    LargeVarCharVector lname = (LargeVarCharVector) root.getVector("lname");
    VarBinaryVector bin = (VarBinaryVector) root.getVector("bin");
    LargeVarBinaryVector lbin = (LargeVarBinaryVector) root.getVector("lbin");
    ListVector tok = (ListVector) root.getVector("tok");
    LargeListVector ltok = (LargeListVector) root.getVector("ltok");
    ListVector emb = (ListVector) root.getVector("emb");
    IntVector tokItems = (IntVector) tok.getDataVector();
    BigIntVector ltokItems = (BigIntVector) ltok.getDataVector();
    Float4Vector embItems = (Float4Vector) emb.getDataVector();
    for (int r = 0; r < n; r++) {
      int i = from + r;
      id.setSafe(r, i);
      if (i % 11 == 5) {
        nameV.setNull(r);
      } else {
        nameV.setSafe(r, name(i).getBytes(StandardCharsets.UTF_8));
      }
      lname.setSafe(r, ("L" + name(i)).getBytes(StandardCharsets.UTF_8));
      if (i % 10 == 7) {
        bin.setNull(r);
      } else {
        bin.setSafe(r, bytes(i, i % 9));
      }
      lbin.setSafe(r, bytes(i + 1, (i * 7) % 13));
      if (i % 12 == 4) {
        tok.setNull(r);
      } else {
        int at = tok.startNewValue(r);
        for (int k = 0; k < i % 6; k++) {
          if ((i + k) % 23 == 0) {
            tokItems.setNull(at + k);
          } else {
            tokItems.setSafe(at + k, i * 10 + k);
          }
        }
        tok.endValue(r, i % 6);
      }
      long lat = ltok.startNewValue(r);
      for (int k = 0; k < i % 4; k++) {
        ltokItems.setSafe((int) (lat + k), i * 1000L + k);
      }
      ltok.endValue(r, i % 4);
      int eat = emb.startNewValue(r);
      for (int k = 0; k < i % 3; k++) {
        embItems.setSafe(eat + k, i + k / 10f);
      }
      emb.endValue(r, i % 3);
    }
    root.setRowCount(n);
    return root;
  }

  static long addr(long id) {
    return ((id / PER) << 32) | (id % PER);
  }

  /** The ids in shuffled order. */
  static long[] shuffled(List<Long> ids, long seed) {
    List<Long> s = new ArrayList<>(ids);
    java.util.Collections.shuffle(s, new Random(seed));
    return s.stream().mapToLong(VariableLengthPlannerTest::addr).toArray();
  }

  static List<Long> allIds() {
    List<Long> ids = new ArrayList<>();
    for (long i = 0; i < N; i++) {
      ids.add(i);
    }
    return ids;
  }

  /** Clumps of {@code clump} consecutive ids in shuffled clump order. */
  static long[] clumps(List<Long> ids, int clump, long seed) {
    List<List<Long>> parts = new ArrayList<>();
    for (int s = 0; s < ids.size(); s += clump) {
      parts.add(ids.subList(s, Math.min(ids.size(), s + clump)));
    }
    java.util.Collections.shuffle(parts, new Random(seed));
    return parts.stream()
        .flatMap(List::stream)
        .mapToLong(VariableLengthPlannerTest::addr)
        .toArray();
  }

  static String value(Object o) {
    return o instanceof byte[] b ? "0x" + HexFormat.of().formatHex(b) : String.valueOf(o);
  }

  /** One batch's rows, every column as text (nulls as "null"); borrows the root. */
  static List<List<String>> rowsOf(VectorSchemaRoot root, List<String> cols) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < root.getRowCount(); i++) {
      List<String> row = new ArrayList<>();
      for (String c : cols) {
        FieldVector v = root.getVector(c);
        row.add(v.isNull(i) ? "null" : value(v.getObject(i)));
      }
      out.add(row);
    }
    return out;
  }

  Permutation<ArrowBatch> permutation(Table t, long[] addrs, List<String> cols, int batchSize) {
    return Permutation.create(t, x -> RowSelection.addresses(addrs))
        .selectColumns(cols.toArray(new String[0]))
        .withBatchSize(batchSize);
  }

  /** The batches of the ARROW format as rows, each batch's size recorded; planned or not. */
  static List<List<String>> read(
      Permutation<ArrowBatch> p, List<String> cols, List<Integer> sizes, boolean planned) {
    List<List<String>> out = new ArrayList<>();
    try (BatchIterator<ArrowBatch> it = p.iter(p.batchSize(), false)) {
      while (it.hasNext()) {
        try (ArrowBatch b = it.next()) {
          sizes.add(b.numRows());
          out.addAll(rowsOf(b.root(), cols));
        }
      }
      if (planned) {
        assertThat(it.readStats().windows).as("read by the planner").isPositive();
      } else {
        assertThat(it.readStats().windows).isZero();
      }
    }
    return out;
  }

  /** Planned (default read-ahead and a small one: several windows) equals one take per batch. */
  void plannedEqualsUnplanned(Table t, long[] addrs, int batchSize, List<Long> expectedIds) {
    Permutation<ArrowBatch> p = permutation(t, addrs, ALL, batchSize);
    List<Integer> refSizes = new ArrayList<>();
    List<List<String>> ref = read(p.withReadAhead(0), ALL, refSizes, false);
    assertThat(ref.stream().map(r -> Long.parseLong(r.get(0))).toList()).isEqualTo(expectedIds);
    for (long readAhead : new long[] {Permutation.DEFAULT_READ_AHEAD_BYTES, 3L * batchSize * 40}) {
      List<Integer> sizes = new ArrayList<>();
      assertThat(read(p.withReadAhead(readAhead), ALL, sizes, true))
          .as("read-ahead %d", readAhead)
          .isEqualTo(ref);
      assertThat(sizes).isEqualTo(refSizes);
    }
  }

  @Test
  void randomPermutationsAndClumpsEqualTheUnplannedRead() {
    for (long seed : new long[] {1, 2, 3}) {
      long[] addrs = shuffled(allIds(), seed);
      plannedEqualsUnplanned(table, addrs, 64, idsOf(addrs));
    }
    long[] clumped = clumps(allIds(), 37, 4);
    plannedEqualsUnplanned(table, clumped, 100, idsOf(clumped));
    long[] some = java.util.Arrays.copyOf(shuffled(allIds(), 5), 123); // a few rows: takes
    plannedEqualsUnplanned(table, some, 50, idsOf(some));
  }

  @Test
  void everyPathOfTheWindowReaderEqualsTheUnplannedRead() {
    long[] addrs = shuffled(allIds(), 9);
    List<Integer> refSizes = new ArrayList<>();
    List<List<String>> ref =
        read(permutation(table, addrs, ALL, 40).withReadAhead(0), ALL, refSizes, false);
    ReadColumns cols = ReadColumns.sampled(new TableBase(table), ALL);
    assertThat(cols.fixedWidth()).isFalse();
    assertThat(cols.rowBytes()).as("measured on the first rows").isBetween(40L, 400L);
    List<ReadCosts> paths =
        List.of(
            ReadPlannerTest.SCAN,
            ReadPlannerTest.TAKE,
            ReadPlannerTest.HALF,
            ReadPlannerTest.SPLIT_SCAN,
            ReadPlannerTest.SPLIT_TAKE);
    for (ReadCosts costs : paths) {
      for (long budget : new long[] {1, 1L << 26}) { // a window per batch; one window
        WindowReader.Stats st = new WindowReader.Stats();
        List<List<String>> got = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        try (WindowReader r =
            new WindowReader(new TableBase(table), cols, addrs, 40, budget, null, st, costs)) {
          for (NativeBatch next = r.next(); next != null; next = r.next()) {
            try (NativeBatch b = next;
                VectorSchemaRoot root = b.toArrow(cols.schema(), table.allocator())) {
              sizes.add(root.getRowCount());
              got.addAll(rowsOf(root, ALL));
            }
          }
        }
        assertThat(got).as("%s budget %d", costs, budget).isEqualTo(ref);
        assertThat(sizes).isEqualTo(refSizes);
        assertThat(st.scans + st.takes).isPositive();
      }
    }
  }

  @Test
  void deletedRowsAndRowsAskedTwiceAreReadExactly() throws Exception {
    try (org.lance.Dataset other =
        org.lance.Dataset.open(
            allocator, table.uri(), new org.lance.ReadOptions.Builder().build())) {
      other.delete("id % 7 = 3 OR (id >= 320 AND id < 380)");
    }
    try (Table latest = table.checkoutLatest()) {
      List<Long> live = new ArrayList<>();
      for (long i = 0; i < N; i++) {
        if (i % 7 != 3 && !(i >= 320 && i < 380)) {
          live.add(i);
        }
      }
      long[] addrs = shuffled(live, 6);
      plannedEqualsUnplanned(latest, addrs, 64, idsOf(addrs));
      long[] twice = new long[addrs.length + 50]; // the first 50 rows again at the end
      System.arraycopy(addrs, 0, twice, 0, addrs.length);
      System.arraycopy(addrs, 0, twice, addrs.length, 50);
      plannedEqualsUnplanned(latest, twice, 64, idsOf(twice));
    }
  }

  static List<Long> idsOf(long[] addrs) {
    List<Long> out = new ArrayList<>();
    for (long a : addrs) {
      out.add((a >>> 32) * PER + (a & 0xFFFFFFFFL));
    }
    return out;
  }

  /** Every tensor of a dict as its shape and values (as doubles), by key. */
  static Map<String, String> tensors(TensorDict d) {
    Map<String, String> out = new java.util.TreeMap<>();
    for (Map.Entry<String, Tensor> e : d.entrySet()) {
      out.put(e.getKey(), tensorText(e.getValue()));
    }
    return out;
  }

  /** A tensor's shape and values (as doubles). */
  static String tensorText(Tensor t) {
    StringBuilder s = new StringBuilder();
    for (int k = 0; k < t.dim(); k++) {
      s.append(t.size(k)).append(k + 1 < t.dim() ? "x" : ":");
    }
    double[] v = new double[(int) t.numel()];
    try (Tensor c = t.to(ScalarType.Double).contiguous()) {
      c.data_ptr_double().get(v);
    }
    return s.append(java.util.Arrays.toString(v)).toString();
  }

  @Test
  void forEachWithBreakWhileKeepingATensorLeavesNothingBehind() throws Exception {
    Permutation<TensorDict> p =
        permutation(table, shuffled(allIds(), 5), NON_NULL, 32)
            .withReadAhead(16 << 10)
            .withFormat(Format.TORCH_DICT);
    String expected = readTensors(p.withReadAhead(0), false).get(2).get("ltok");
    Tensor kept = null;
    int seen = 0;
    for (TensorDict d : p) {
      if (++seen == 3) {
        kept = d.get("ltok").clone();
        break;
      }
    }
    assertThat(kept).isNotNull();
    try {
      for (int i = 0; i < 200 && BridgeStats.snapshot().liveBatches() != 0; i++) {
        System.gc();
        Thread.sleep(20);
      }
      assertThat(BridgeStats.snapshot().liveBatches()).isZero();
      assertThat(tensorText(kept)).isEqualTo(expected);
    } finally {
      kept.close();
    }
  }

  static List<Map<String, String>> readTensors(Permutation<TensorDict> p, boolean planned) {
    List<Map<String, String>> out = new ArrayList<>();
    try (BatchIterator<TensorDict> it = p.iter(p.batchSize(), false)) {
      while (it.hasNext()) {
        try (TensorDict d = it.next();
            org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
          out.add(tensors(d));
        }
      }
      assertThat(it.readStats().windows > 0).isEqualTo(planned);
    }
    return out;
  }

  @Test
  void jaggedAndPaddedTensorsEqualTheUnplannedRead() {
    long[] addrs = shuffled(allIds(), 11);
    Permutation<ArrowBatch> p = permutation(table, addrs, NON_NULL, 48);
    List<Format<TensorDict>> formats =
        List.of(
            Format.TORCH_DICT,
            Format.torchDict(
                Map.of(
                    "ltok", PadOptions.fixed(3),
                    "lbin", PadOptions.batchMax(),
                    "emb", PadOptions.fixed(4))));
    for (Format<TensorDict> f : formats) {
      List<Map<String, String>> ref = readTensors(p.withFormat(f).withReadAhead(0), false);
      List<Map<String, String>> got = readTensors(p.withFormat(f), true);
      assertThat(got).isEqualTo(ref);
      assertThat(got.get(0)).containsKey("ltok");
    }
    // null rows and null list items filled (0 / empty), jagged and padded
    Permutation<ArrowBatch> withNulls =
        permutation(table, addrs, List.of("id", "name", "bin", "tok"), 48).withNullFill(0);
    for (Format<TensorDict> f :
        List.of(Format.TORCH_DICT, Format.torchDict(Map.of("tok", PadOptions.fixed(4))))) {
      List<Map<String, String>> ref = readTensors(withNulls.withFormat(f).withReadAhead(0), false);
      assertThat(readTensors(withNulls.withFormat(f), true)).isEqualTo(ref);
    }
  }
}
