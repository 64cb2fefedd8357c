package dev.lancetorch.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * Which columns a cache file packs into rows (numbers, and slots for mostly short binary / utf8
 * values) and where each lies in a row and among a block's buffers; a footer whose packing
 * disagrees with its schema or its rows is corrupt.
 */
class PackedLayoutTest {
  static final ArrowType F32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
  static final ArrowType F16 = new ArrowType.FloatingPoint(FloatingPointPrecision.HALF);
  static final Path FILE = Path.of("frag-0.ltc");

  static Field list(String name, ArrowType type, int size) {
    return new Field(
        name,
        FieldType.nullable(type == null ? new ArrowType.FixedSizeList(size) : type),
        List.of(Field.nullable("item", F32)));
  }

  static Schema schema() {
    return new Schema(
        List.of(
            Field.nullable("x", F32), // buffers 0, 1
            Field.nullable("name", ArrowType.Utf8.INSTANCE), // 2, 3, 4
            Field.nullable("flag", ArrowType.Bool.INSTANCE), // 5, 6
            list("tok", ArrowType.List.INSTANCE, 0), // 7, 8 + item 9, 10
            list("emb", null, 3), // 11 + item 12, 13
            Field.nullable("half", F16), // 14, 15
            Field.notNullable("label", new ArrowType.Int(64, true)))); // 16, 17
  }

  /** The writer's layout for {@code schema()} with {@code name} holding these values. */
  static PackedLayout chosen(Schema s, String... names) {
    try (RootAllocator a = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(s, a)) {
      root.allocateNew();
      VarCharVector v = (VarCharVector) root.getVector("name");
      for (int i = 0; i < names.length; i++) {
        if (names[i] == null) {
          v.setNull(i);
        } else {
          v.setSafe(i, names[i].getBytes(StandardCharsets.UTF_8));
        }
      }
      root.setRowCount(names.length);
      try (ArrowRecordBatch rb = new VectorUnloader(root).getRecordBatch()) {
        return PackedLayout.choose(s, rb.getBuffers(), names.length);
      }
    }
  }

  @Test
  void numbersThenSlotsOfMostlyShortStrings() {
    PackedLayout p =
        chosen(schema(), "row-1", "row-12345678", null, null, "a long caption, 27 bytes!!");
    assertThat(p.columns()).containsExactly(0, 4, 5, 6, 1);
    assertThat(p.slot()).containsExactly(false, false, false, false, true);
    assertThat(p.buffers()).containsExactly(1, 13, 15, 17, 2);
    assertThat(p.bytes()).containsExactly(4, 12, 2, 8, 16);
    assertThat(p.at()).containsExactly(0, 4, 16, 18, 26);
    assertThat(p.stride()).isEqualTo(42);
    assertThat(p.strides(7)).containsExactly(42, 42, 0, 0, 42, 42, 42);
    assertThat(p.places(7)).containsExactly(0, 26, -1, -1, 4, 16, 18);
    assertThat(p.inRows(13)).isTrue();
    assertThat(p.inRows(2)).as("a slot column keeps its buffers").isFalse();

    PackedLayout longNames =
        chosen(schema(), "a long caption, 27 bytes!!", "row-1", "thirteen byte");
    assertThat(longNames.columns()).as("mostly long: no slot").containsExactly(0, 4, 5, 6);
    assertThat(longNames.stride()).isEqualTo(26);
  }

  @Test
  void oneNumberAloneIsNotPackedButAShortStringIs() {
    Schema one =
        new Schema(
            List.of(Field.nullable("x", F32), Field.nullable("name", ArrowType.Utf8.INSTANCE)));
    assertThat(chosen(one, "a long caption, 27 bytes!!", null)).isNull();
    assertThat(chosen(one, null, null)).as("no value to judge by").isNull();
    PackedLayout p = chosen(one, "row-7");
    assertThat(p.columns()).containsExactly(0, 1);
    assertThat(p.stride()).isEqualTo(20);
  }

  @Test
  void aLayoutThatDoesNotFitItsRowsIsRefused() {
    Schema s = schema();
    assertThatThrownBy(() -> PackedLayout.of(s, new int[] {0, 6}, new long[] {0, 2}, 16))
        .as("overlapping")
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PackedLayout.of(s, new int[] {0, 6}, new long[] {0, 4}, 11))
        .as("past the row")
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PackedLayout.of(s, new int[] {0, 2}, new long[] {0, 4}, 8))
        .as("bool")
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PackedLayout.of(s, new int[] {0, 0}, new long[] {0, 4}, 8))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(PackedLayout.of(s, new int[] {6, 0}, new long[] {0, 8}, 12).at())
        .containsExactly(0, 8);
  }

  /** A footer of one block of {@code rows} rows laid out as the writer lays it out. */
  static CacheFile.Footer footer(
      Schema s, PackedLayout p, int rows, long[] strides, long[] places, long[] packed) {
    long[][] buffers = new long[18][];
    for (int i = 0; i < buffers.length; i++) {
      buffers[i] = new long[] {64L * (i + 1), 8};
    }
    for (int c = 0; c < p.columns().length; c++) {
      if (!p.slot()[c]) {
        buffers[p.buffers()[c]] = new long[] {packed[0] + p.at()[c], rows * p.bytes()[c]};
      }
    }
    CacheFile.Block b = new CacheFile.Block(rows, new long[9][], buffers, packed);
    return new CacheFile.Footer(2, 0, rows, s.toJson(), strides, places, List.of(b), null);
  }

  @Test
  void aFooterWhosePackingDisagreesIsCorrupt() throws Exception {
    Schema s = schema();
    PackedLayout p = chosen(s, "row-1");
    long[] strides = p.strides(7);
    long[] places = p.places(7);
    long[] region = {4096, 10 * 42};
    CacheFile.Footer good = footer(s, p, 10, strides, places, region);
    PackedLayout read = CacheFile.packing(FILE, good, s);
    assertThat(read.stride()).isEqualTo(42);
    assertThat(read.slot()).containsExactly(false, true, false, false, false);

    long[] wrongStride = strides.clone();
    wrongStride[0] = 30;
    assertThatThrownBy(
            () -> CacheFile.packing(FILE, footer(s, p, 10, wrongStride, places, region), s))
        .isInstanceOf(CacheFile.Corrupt.class)
        .hasMessageContaining("do not match its schema");
    long[] overlapping = places.clone();
    overlapping[6] = 17;
    assertThatThrownBy(
            () -> CacheFile.packing(FILE, footer(s, p, 10, strides, overlapping, region), s))
        .isInstanceOf(CacheFile.Corrupt.class);
    long[] boolPacked = strides.clone();
    boolPacked[2] = 42;
    long[] boolPlace = places.clone();
    boolPlace[2] = 41;
    assertThatThrownBy(
            () -> CacheFile.packing(FILE, footer(s, p, 10, boolPacked, boolPlace, region), s))
        .isInstanceOf(CacheFile.Corrupt.class);
    assertThatThrownBy(
            () ->
                CacheFile.packing(
                    FILE, footer(s, p, 10, strides, places, new long[] {4096, 9 * 42}), s))
        .as("rows shorter than the block")
        .isInstanceOf(CacheFile.Corrupt.class)
        .hasMessageContaining("do not match its rows");

    CacheFile.Footer moved = footer(s, p, 10, strides, places, region);
    moved.blocks().get(0).buffers()[13] = new long[] {4096 + 5, 120}; // emb not at its place
    assertThatThrownBy(() -> CacheFile.packing(FILE, moved, s))
        .isInstanceOf(CacheFile.Corrupt.class)
        .hasMessageContaining("not in its block's rows");

    CacheFile.Footer noStrides = footer(s, p, 10, null, null, region);
    assertThatThrownBy(() -> CacheFile.packing(FILE, noStrides, s))
        .isInstanceOf(CacheFile.Corrupt.class)
        .hasMessageContaining("without strides");
    CacheFile.Block plain =
        new CacheFile.Block(10, new long[0][], noStrides.blocks().get(0).buffers(), null);
    assertThat(
            CacheFile.packing(
                FILE,
                new CacheFile.Footer(1, 0, 10, s.toJson(), null, null, List.of(plain), null),
                s))
        .as("a version 1 file: columns as they are")
        .isNull();
  }
}
