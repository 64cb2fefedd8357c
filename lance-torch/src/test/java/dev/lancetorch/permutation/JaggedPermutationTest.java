package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Table;
import dev.lancetorch.torch.BridgeStats;
import dev.lancetorch.torch.PadOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * list<int32> and utf8 columns of a Lance table through TORCH_DICT: jagged and padded, native scan
 * and take paths.
 */
class JaggedPermutationTest extends TableFixture {
  static final int PER = 150;
  static final int N = 2 * PER;
  Table docs;

  JaggedPermutationTest() {
    super(1, 10);
  }

  static int len(long id) {
    return (int) ((id * 7) % 9);
  }

  static int token(long id, int k) {
    return (int) (id * 10 + k);
  }

  static VectorSchemaRoot docs(BufferAllocator a, long from, int n) {
    Schema s =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Int(64, true)),
                new Field(
                    "tok",
                    FieldType.notNullable(ArrowType.List.INSTANCE),
                    List.of(Field.notNullable("item", new ArrowType.Int(32, true)))),
                Field.notNullable("caption", ArrowType.Utf8.INSTANCE)));
    VectorSchemaRoot root = VectorSchemaRoot.create(s, a);
    BigIntVector id = (BigIntVector) root.getVector("id");
    ListVector tok = (ListVector) root.getVector("tok");
    VarCharVector cap = (VarCharVector) root.getVector("caption");
    UnionListWriter w = tok.getWriter();
    for (int i = 0; i < n; i++) {
      long r = from + i;
      id.setSafe(i, r);
      w.setPosition(i);
      w.startList();
      for (int k = 0; k < len(r); k++) {
        w.writeInt(token(r, k));
      }
      w.endList();
      cap.setSafe(i, ("c" + r).getBytes(StandardCharsets.UTF_8));
    }
    root.setRowCount(n);
    return root;
  }

  @BeforeEach
  void createDocs() {
    try (VectorSchemaRoot first = docs(db.allocator(), 0, PER)) {
      docs = db.createTable("docs", first);
    }
    try (VectorSchemaRoot more = docs(db.allocator(), PER, PER)) {
      docs.add(more);
    }
  }

  @AfterEach
  void closeDocs() {
    docs.close();
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
  }

  static long[] longs(Tensor t) {
    long[] out = new long[(int) t.numel()];
    try (Tensor k = t.contiguous();
        Tensor c = k.to(ScalarType.Long)) {
      c.data_ptr_long().get(out);
    }
    return out;
  }

  /** Checks one jagged batch against the generator: ids, tokens via offsets, caption bytes. */
  static void assertJagged(TensorDict d) {
    long[] ids = longs(d.get("id"));
    long[] off = longs(d.get("tok.offsets"));
    long[] tok = longs(d.get("tok"));
    long[] coff = longs(d.get("caption.offsets"));
    long[] cap = longs(d.get("caption"));
    assertThat(off).hasSize(ids.length + 1);
    assertThat(off[0]).isZero();
    assertThat(off[ids.length]).isEqualTo(tok.length);
    assertThat(d.get("tok").scalar_type().intern()).isEqualTo(ScalarType.Int);
    for (int r = 0; r < ids.length; r++) {
      assertThat(off[r + 1] - off[r]).isEqualTo(len(ids[r]));
      for (int k = 0; k < len(ids[r]); k++) {
        assertThat(tok[(int) off[r] + k]).isEqualTo(token(ids[r], k));
      }
      StringBuilder sb = new StringBuilder();
      for (long i = coff[r]; i < coff[r + 1]; i++) {
        sb.append((char) cap[(int) i]);
      }
      assertThat(sb.toString()).isEqualTo("c" + ids[r]);
    }
  }

  @Test
  void identityScanGivesJaggedValuesAndOffsetsAcrossFragments() {
    Permutation<TensorDict> p =
        Permutation.identity(docs).withFormat(Format.TORCH_DICT).withBatchSize(100);
    assertThat(p.reading().readsTensorsNatively()).isTrue();
    List<Long> seen = new ArrayList<>();
    for (TensorDict d : p) {
      try (d) {
        assertThat(d.keySet())
            .containsExactly("id", "tok", "tok.offsets", "caption", "caption.offsets");
        assertJagged(d);
        for (long id : longs(d.get("id"))) {
          seen.add(id);
        }
      }
    }
    assertThat(seen)
        .containsExactlyElementsOf(
            LongStream.range(0, N).boxed().toList()); // batch 2 spans fragments
  }

  @Test
  void shuffledTakesGiveJaggedBatchesInTheAskedOrder() {
    long[] rowIds =
        LongStream.range(0, N)
            .map(i -> (i * 37) % N)
            .map(i -> TestTables.address((int) (i / PER), i % PER))
            .toArray();
    try (Table perm = TestTables.permutationTable(db, "perm", rowIds, new long[N], null)) {
      Permutation<TensorDict> p =
          Permutation.fromTables(docs, perm, 0)
              .withFormat(Format.TORCH_DICT)
              .selectColumns("id", "tok", "caption");
      List<Long> seen = new ArrayList<>();
      for (TensorDict d : (Iterable<TensorDict>) () -> p.iter(64, false)) {
        try (d) {
          assertJagged(d);
          for (long id : longs(d.get("id"))) {
            seen.add(id);
          }
        }
      }
      assertThat(seen)
          .containsExactlyElementsOf(
              LongStream.range(0, N).map(i -> (i * 37) % N).boxed().toList());
    }
  }

  @Test
  void paddedFormatGivesLengthsAndMaskAcrossPieces() {
    Format<TensorDict> fmt =
        Format.torchDict(Map.of("ids", PadOptions.batchMaxUpTo(6).padValue(-1)));
    Permutation<TensorDict> p =
        Permutation.identity(docs)
            .selectColumns("id", "tok")
            .renameColumn("tok", "ids")
            .withFormat(fmt)
            .withSkip(40);
    int batches = 0;
    for (TensorDict d : (Iterable<TensorDict>) () -> p.iter(100, false)) {
      try (d) {
        batches++;
        assertThat(d.keySet()).containsExactly("id", "ids", "ids.lengths", "ids.mask");
        long[] ids = longs(d.get("id"));
        long width = d.get("ids").size(1);
        assertThat(width).isEqualTo(6); // lengths reach 8; capped at 6
        long[] v = longs(d.get("ids"));
        long[] m = longs(d.get("ids.mask"));
        long[] lengths = longs(d.get("ids.lengths"));
        for (int r = 0; r < ids.length; r++) {
          int keep = Math.min(len(ids[r]), 6);
          assertThat(lengths[r]).isEqualTo(keep);
          for (int k = 0; k < width; k++) {
            assertThat(v[(int) (r * width + k)]).isEqualTo(k < keep ? token(ids[r], k) : -1);
            assertThat(m[(int) (r * width + k)]).isEqualTo(k < keep ? 1 : 0);
          }
        }
      }
    }
    assertThat(batches).isEqualTo(3);
  }

  @Test
  void paddedPiecesWithDifferentMaximaAreWidened() {
    // Rows 146..153 span the fragment boundary; row 148 (len 4) / rows 150.. differ in their
    // longest row.
    Format<TensorDict> fmt = Format.torchDict(Map.of("tok", PadOptions.batchMax()));
    Permutation<TensorDict> p =
        Permutation.identity(docs)
            .selectColumns("id", "tok")
            .withFormat(fmt)
            .withSkip(145)
            .withTake(6)
            .withBatchSize(6);
    int longest = 0;
    for (long r = 145; r < 151; r++) {
      longest = Math.max(longest, len(r));
    }
    for (TensorDict d : p) {
      try (d) {
        assertThat(d.get("tok").size(1)).isEqualTo(longest);
        long[] m = longs(d.get("tok.mask"));
        long[] ids = longs(d.get("id"));
        for (int r = 0; r < ids.length; r++) {
          long ones = 0;
          for (int k = 0; k < longest; k++) {
            ones += m[r * longest + k];
          }
          assertThat(ones).isEqualTo(len(ids[r]));
        }
      }
    }
  }

  @Test
  void stackedFormatsRefuseListColumnsNamingThem() {
    Permutation<Tensor> p =
        Permutation.identity(docs).selectColumns("id", "tok").withFormat(Format.TORCH_COL);
    try (BatchIterator<Tensor> it = p.iterator()) {
      assertThatThrownBy(it::next).hasMessageContaining("column 'tok'");
    }
  }
}
