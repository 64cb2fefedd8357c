package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Table;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.torch.BridgeStats;
import dev.lancetorch.torch.NullFill;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Permutation#withNullFill}: nulls filled in every tensor format, on every read path (native
 * scans, takes, the read planner, a DataLoader's workers); an error naming the column and the
 * method without a fill.
 */
@Timeout(120)
class NullFillTest extends TableFixture {
  static final int PER = 300;
  static final int N = 2 * PER;
  static final double ALL = -1;
  static final double FOR_N = 9;
  Table nulls;

  NullFillTest() {
    super(1, 10);
  }

  static boolean xNull(long id) {
    return id % 5 == 2;
  }

  static boolean nNull(long id) {
    return id % 7 == 3;
  }

  static boolean vecNull(long id) {
    return id % 6 == 1;
  }

  static boolean tokNull(long id) {
    return id % 4 == 1;
  }

  static int tokLen(long id) {
    return (int) (id % 3);
  }

  /** The tensor value of row {@code id}, column {@code c} (item {@code j}), filled as the test. */
  static double expected(String c, long id, int j) {
    return switch (c) {
      case "x" -> xNull(id) ? ALL : id * 0.5;
      case "n" -> nNull(id) ? FOR_N : id;
      case "vec" -> vecNull(id) ? ALL : id * 10 + j;
      default -> throw new IllegalArgumentException(c);
    };
  }

  static VectorSchemaRoot rows(BufferAllocator a, long from, int n) {
    Field vecItem =
        Field.notNullable("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
    Schema s =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Int(64, true)),
                Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                Field.nullable("n", new ArrowType.Int(32, true)),
                new Field(
                    "vec", FieldType.nullable(new ArrowType.FixedSizeList(2)), List.of(vecItem)),
                new Field(
                    "tok",
                    FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(Field.notNullable("item", new ArrowType.Int(32, true))))));
    VectorSchemaRoot root = VectorSchemaRoot.create(s, a);
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    Float4Vector x = (Float4Vector) root.getVector("x");
    IntVector nv = (IntVector) root.getVector("n");
    FixedSizeListVector vec = (FixedSizeListVector) root.getVector("vec");
    Float4Vector items = (Float4Vector) vec.getDataVector();
    ListVector tok = (ListVector) root.getVector("tok");
    UnionListWriter w = tok.getWriter();
    for (int i = 0; i < n; i++) {
      long r = from + i;
      id.setSafe(i, r);
      if (xNull(r)) {
        x.setNull(i);
      } else {
        x.setSafe(i, r * 0.5f);
      }
      if (nNull(r)) {
        nv.setNull(i);
      } else {
        nv.setSafe(i, (int) r);
      }
      if (vecNull(r)) {
        vec.setNull(i);
      } else {
        vec.setNotNull(i);
      }
      for (int j = 0; j < 2; j++) {
        items.setSafe(i * 2 + j, r * 10f + j);
      }
      w.setPosition(i);
      if (!tokNull(r)) {
        w.startList();
        for (int k = 0; k < tokLen(r); k++) {
          w.writeInt((int) r + k);
        }
        w.endList();
      }
    }
    items.setValueCount(n * 2);
    tok.setValueCount(n);
    root.setRowCount(n);
    return root;
  }

  @BeforeEach
  void createNulls() {
    try (VectorSchemaRoot first = rows(db.allocator(), 0, PER)) {
      nulls = db.createTable("nulls", first);
    }
    try (VectorSchemaRoot more = rows(db.allocator(), PER, PER)) {
      nulls.add(more);
    }
  }

  @AfterEach
  void closeNulls() {
    nulls.close();
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
  }

  /** Rows of both fragments in a fixed shuffled order (ids = storage positions). */
  Permutation<ArrowBatch> shuffled() {
    List<Long> ids = new ArrayList<>(LongStream.range(0, N).boxed().toList());
    Collections.shuffle(ids, new Random(3));
    long[] addrs =
        ids.stream().mapToLong(i -> TestTables.address((int) (i / PER), i % PER)).toArray();
    try (Table perm = TestTables.permutationTable(db, "perm", addrs, new long[N], null)) {
      return Permutation.fromTables(nulls, perm, 0);
    }
  }

  static double[] doubles(Tensor t) {
    double[] out = new double[(int) t.numel()];
    try (Tensor k = t.contiguous();
        Tensor c = k.to(ScalarType.Double)) {
      c.data_ptr_double().get(out);
    }
    return out;
  }

  /** Checks a (R)/(R, D) column tensor of {@code c} against the ids. */
  static void assertColumn(String c, long[] ids, Tensor t) {
    double[] v = doubles(t);
    int width = v.length / ids.length;
    for (int r = 0; r < ids.length; r++) {
      for (int j = 0; j < width; j++) {
        assertThat(v[r * width + j])
            .as("%s row id %d", c, ids[r])
            .isEqualTo(expected(c, ids[r], j));
      }
    }
  }

  static long[] ids(Tensor t) {
    double[] d = doubles(t);
    return java.util.Arrays.stream(d).mapToLong(x -> (long) x).toArray();
  }

  /** Every batch of every tensor format equals the filled values; returns the ids seen. */
  static List<Long> checkFormats(Permutation<ArrowBatch> base, List<String> cols, int size) {
    Permutation<ArrowBatch> p =
        base.selectColumns(cols.toArray(String[]::new))
            .withNullFill(ALL)
            .withNullFill("n", FOR_N)
            .withBatchSize(size);
    List<Long> seen = new ArrayList<>();
    try (BatchIterator<TensorDict> it = p.withFormat(Format.TORCH_DICT).iter(size, false)) {
      for (TensorDict d : (Iterable<TensorDict>) () -> it) {
        try (d) {
          long[] ids = ids(d.get("id"));
          for (String c : cols.subList(1, cols.size())) {
            if (c.equals("tok")) {
              assertTokens(ids, d);
            } else {
              assertColumn(c, ids, d.get(c));
            }
          }
          for (long id : ids) {
            seen.add(id);
          }
        }
      }
    }
    List<String> fixed = cols.stream().filter(c -> !c.equals("tok")).toList();
    Permutation<ArrowBatch> f = p.selectColumns(fixed.toArray(String[]::new));
    int k = 0;
    try (BatchIterator<Tensor> it = f.withFormat(Format.TORCH_COL).iter(size, false)) {
      for (Tensor cr : (Iterable<Tensor>) () -> it) {
        try (cr) {
          long[] ids;
          try (Tensor idRow = cr.select(0, 0)) {
            ids = ids(idRow);
          }
          assertThat(ids).containsExactly(slice(seen, k, ids.length));
          int row = 1;
          for (String c : fixed.subList(1, fixed.size())) {
            int width = c.equals("vec") ? 2 : 1;
            try (Tensor part = cr.narrow(0, row, width);
                Tensor t = part.t()) {
              assertColumn(c, ids, t);
            }
            row += width;
          }
          k += ids.length;
        }
      }
    }
    k = 0;
    try (BatchIterator<TensorRowMaps> it = f.withFormat(Format.TORCH).iter(size, false)) {
      for (TensorRowMaps rows : (Iterable<TensorRowMaps>) () -> it) {
        try (rows) {
          for (Map<String, Tensor> row : rows) {
            long id = (long) doubles(row.get("id"))[0];
            assertThat(id).isEqualTo(seen.get(k++));
            for (String c : fixed.subList(1, fixed.size())) {
              assertColumn(c, new long[] {id}, row.get(c));
            }
          }
        }
      }
    }
    k = 0;
    try (BatchIterator<TensorList> it = f.withFormat(Format.TORCH_ROW).iter(size, false)) {
      for (TensorList rows : (Iterable<TensorList>) () -> it) {
        try (rows) {
          for (Tensor row : rows) {
            double[] v = doubles(row);
            long id = (long) v[0];
            assertThat(id).isEqualTo(seen.get(k++));
            int at = 1;
            for (String c : fixed.subList(1, fixed.size())) {
              int width = c.equals("vec") ? 2 : 1;
              for (int j = 0; j < width; j++) {
                assertThat(v[at++]).as("%s id %d", c, id).isEqualTo(expected(c, id, j));
              }
            }
          }
        }
      }
    }
    return seen;
  }

  static long[] slice(List<Long> l, int from, int n) {
    return l.subList(from, from + n).stream().mapToLong(Long::longValue).toArray();
  }

  /** Null token rows are empty rows. */
  static void assertTokens(long[] ids, TensorDict d) {
    long[] off = ids(d.get("tok.offsets"));
    long[] tok = ids(d.get("tok"));
    for (int r = 0; r < ids.length; r++) {
      int len = tokNull(ids[r]) ? 0 : tokLen(ids[r]);
      assertThat(off[r + 1] - off[r]).as("tok row id %d", ids[r]).isEqualTo(len);
      for (int k = 0; k < len; k++) {
        assertThat(tok[(int) off[r] + k]).isEqualTo(ids[r] + k);
      }
    }
  }

  static List<Long> range(int n) {
    return LongStream.range(0, n).boxed().toList();
  }

  @Test
  void identityScansFillEveryTensorFormat() {
    Permutation<ArrowBatch> p = Permutation.identity(nulls);
    assertThat(checkFormats(p, List.of("id", "x", "n", "vec", "tok"), 64)).isEqualTo(range(N));
    // a window that starts inside a fragment and spans two
    assertThat(checkFormats(p.withSkip(250).withTake(100), List.of("id", "x", "n", "vec"), 30))
        .isEqualTo(LongStream.range(250, 350).boxed().toList());
  }

  @Test
  void shuffledReadsFillOnThePlannerAndTakePaths() {
    Permutation<ArrowBatch> s = shuffled();
    List<Long> order = new ArrayList<>();
    try (BatchIterator<ArrowBatch> it = s.selectColumns("id").iter(N, false)) {
      for (ArrowBatch b : (Iterable<ArrowBatch>) () -> it) {
        try (b) {
          BigIntVector id = (BigIntVector) b.column("id");
          for (int i = 0; i < b.numRows(); i++) {
            order.add(id.get(i));
          }
        }
      }
    }
    // fixed-width columns: the read planner; with tok: one take per batch; read-ahead off: takes
    assertThat(checkFormats(s, List.of("id", "x", "n", "vec"), 50)).isEqualTo(order);
    assertThat(checkFormats(s, List.of("id", "x", "n", "vec", "tok"), 50)).isEqualTo(order);
    assertThat(checkFormats(s.withReadAhead(0), List.of("id", "x", "n", "vec"), 50))
        .isEqualTo(order);
    try (Permutation<ArrowBatch> cached = s.withMemoryCache(1 << 20)) {
      assertThat(checkFormats(cached, List.of("id", "x", "n", "vec"), 50)).isEqualTo(order);
    }
    Permutation<TensorDict> d =
        s.selectColumns("id", "x", "n", "vec")
            .withNullFill(ALL)
            .withNullFill("n", FOR_N)
            .withFormat(Format.TORCH_DICT);
    try (BatchIterator<TensorDict> it = d.iter(50, false)) {
      while (it.hasNext()) {
        it.next().close();
      }
      assertThat(it.readStats().windows).as("the planner read these").isPositive();
    }
    long[] offsets = {7, 3, 599, 0, 42};
    try (TensorDict one = d.takeOffsets(offsets)) {
      long[] ids = ids(one.get("id"));
      assertThat(ids)
          .containsExactly(order.get(7), order.get(3), order.get(599), order.get(0), order.get(42));
      assertColumn("x", ids, one.get("x"));
      assertColumn("n", ids, one.get("n"));
      assertColumn("vec", ids, one.get("vec"));
    }
  }

  @Test
  void dataLoaderWorkersFillFromThePermutation() {
    Permutation<TensorDict> p =
        shuffled()
            .selectColumns("id", "x", "n", "vec")
            .withNullFill(ALL)
            .withNullFill("n", FOR_N)
            .withFormat(Format.TORCH_DICT);
    Set<Long> seen = new HashSet<>();
    try (DataLoader<TensorDict> l =
        DataLoader.builder(p).batchSize(40).shuffle(true).seed(5).numWorkers(2).build()) {
      for (TensorDict d : l) {
        try (d) {
          long[] ids = ids(d.get("id"));
          assertColumn("x", ids, d.get("x"));
          assertColumn("n", ids, d.get("n"));
          assertColumn("vec", ids, d.get("vec"));
          for (long id : ids) {
            assertThat(seen.add(id)).isTrue();
          }
        }
      }
    }
    assertThat(seen).hasSize(N);
  }

  @Test
  void withoutAFillValueNullsAreAnErrorNamingColumnAndMethod() {
    Permutation<ArrowBatch> id = Permutation.identity(nulls).selectColumns("id", "x");
    for (Permutation<ArrowBatch> p : List.of(id, shuffled().selectColumns("id", "x"))) {
      for (Format<?> f : List.of(Format.TORCH_DICT, Format.TORCH_COL, Format.TORCH)) {
        assertThatThrownBy(() -> p.withFormat(f).iter(50, false).next())
            .as("%s", f)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("column 'x'")
            .hasMessageContaining("null value")
            .hasMessageContaining("Permutation.withNullFill(\"x\", value)");
      }
      // a fill for another column does not fill x; after a rename the hint names the new name
      assertThatThrownBy(
              () ->
                  p.withNullFill("id", 0)
                      .renameColumn("x", "feature")
                      .withFormat(Format.TORCH_DICT)
                      .iter(50, false)
                      .next())
          .hasMessageContaining("withNullFill(\"feature\", value)");
    }
    assertThatThrownBy(
            () ->
                Permutation.identity(nulls)
                    .selectColumns("id", "tok")
                    .withFormat(Format.TORCH_DICT)
                    .iter(50, false)
                    .next())
        .hasMessageContaining("column 'tok'")
        .hasMessageContaining("withNullFill(\"tok\", value)");
    assertThatThrownBy(() -> id.withNullFill("nope", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no column 'nope'");
    // formats without tensors keep nulls
    try (BatchIterator<List<Map<String, Object>>> it =
        id.withNullFill(ALL).withFormat(Format.ROWS).iter(10, false)) {
      assertThat(it.next().get(2).get("x")).isNull();
    }
  }

  @Test
  void fillsFollowRenamesAndSurviveSerialization() throws Exception {
    Permutation<TensorDict> p =
        Permutation.identity(nulls)
            .selectColumns("id", "x", "n")
            .withNullFill("x", ALL)
            .renameColumn("x", "feature")
            .withNullFill("n", FOR_N)
            .withFormat(Format.TORCH_DICT);
    assertThat(p.nullFill())
        .isEqualTo(NullFill.none().withColumn("feature", ALL).withColumn("n", FOR_N));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(p);
    }
    @SuppressWarnings("unchecked")
    Permutation<TensorDict> copy =
        (Permutation<TensorDict>)
            new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();
    try (copy;
        BatchIterator<TensorDict> it = copy.iter(100, false)) {
      assertThat(copy.nullFill()).isEqualTo(p.nullFill());
      try (TensorDict d = it.next()) {
        long[] ids = ids(d.get("id"));
        assertColumn("x", ids, d.get("feature"));
        assertColumn("n", ids, d.get("n"));
      }
    }
  }
}
