package dev.lancetorch.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * Which columns a cache file packs into rows and where each lies in a row and among a block's
 * buffers; a footer whose packing disagrees with its schema or its rows is corrupt.
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

  @Test
  void numbersAndFixedSizeListsOfNumbersArePackedInSchemaOrder() {
    PackedLayout p = PackedLayout.of(schema());
    assertThat(p.columns()).containsExactly(0, 4, 5, 6);
    assertThat(p.valuesBuffers()).containsExactly(1, 13, 15, 17);
    assertThat(p.bytes()).containsExactly(4, 12, 2, 8);
    assertThat(p.at()).containsExactly(0, 4, 16, 18);
    assertThat(p.stride()).isEqualTo(26);
    assertThat(p.strides(7)).containsExactly(26, 0, 0, 0, 26, 26, 26);
  }

  @Test
  void fewerThanTwoPackableColumnsPackNothing() {
    assertThat(PackedLayout.of(new Schema(List.of(Field.nullable("x", F32))))).isNull();
    assertThat(
            PackedLayout.of(
                new Schema(
                    List.of(
                        list("emb", null, 64),
                        Field.nullable("flag", ArrowType.Bool.INSTANCE),
                        Field.nullable("s", ArrowType.Utf8.INSTANCE)))))
        .isNull();
  }

  /** A footer of one block of {@code rows} rows laid out as the writer lays it out. */
  static CacheFile.Footer footer(Schema s, int rows, long[] strides, long[] packed) {
    PackedLayout p = PackedLayout.of(s);
    long[][] buffers = new long[18][];
    for (int i = 0; i < buffers.length; i++) {
      buffers[i] = new long[] {64L * (i + 1), 8};
    }
    for (int c = 0; c < p.columns().length; c++) {
      buffers[p.valuesBuffers()[c]] = new long[] {packed[0] + p.at()[c], rows * p.bytes()[c]};
    }
    CacheFile.Block b = new CacheFile.Block(rows, new long[9][], buffers, packed);
    return new CacheFile.Footer(2, 0, rows, s.toJson(), strides, List.of(b), null);
  }

  @Test
  void aFooterWhosePackingDisagreesIsCorrupt() throws Exception {
    Schema s = schema();
    long[] strides = PackedLayout.of(s).strides(7);
    long[] region = {4096, 10 * 26};
    assertThat(CacheFile.packing(FILE, footer(s, 10, strides, region), s).stride()).isEqualTo(26);

    long[] wrongStride = strides.clone();
    wrongStride[0] = 30;
    assertThatThrownBy(() -> CacheFile.packing(FILE, footer(s, 10, wrongStride, region), s))
        .isInstanceOf(CacheFile.Corrupt.class)
        .hasMessageContaining("do not match its schema");
    long[] unpackedLabel = strides.clone();
    unpackedLabel[6] = 0;
    assertThatThrownBy(() -> CacheFile.packing(FILE, footer(s, 10, unpackedLabel, region), s))
        .isInstanceOf(CacheFile.Corrupt.class);
    assertThatThrownBy(
            () -> CacheFile.packing(FILE, footer(s, 10, strides, new long[] {4096, 9 * 26}), s))
        .as("rows shorter than the block")
        .isInstanceOf(CacheFile.Corrupt.class)
        .hasMessageContaining("do not match its rows");

    CacheFile.Footer moved = footer(s, 10, strides, region);
    moved.blocks().get(0).buffers()[13] = new long[] {4096 + 5, 120}; // emb not at its place
    assertThatThrownBy(() -> CacheFile.packing(FILE, moved, s))
        .isInstanceOf(CacheFile.Corrupt.class)
        .hasMessageContaining("not in its block's rows");

    CacheFile.Footer noStrides = footer(s, 10, null, region);
    assertThatThrownBy(() -> CacheFile.packing(FILE, noStrides, s))
        .isInstanceOf(CacheFile.Corrupt.class)
        .hasMessageContaining("without strides");
    CacheFile.Block plain =
        new CacheFile.Block(10, new long[0][], noStrides.blocks().get(0).buffers(), null);
    assertThat(
            CacheFile.packing(
                FILE, new CacheFile.Footer(1, 0, 10, s.toJson(), null, List.of(plain), null), s))
        .as("a version 1 file: columns as they are")
        .isNull();
  }
}
