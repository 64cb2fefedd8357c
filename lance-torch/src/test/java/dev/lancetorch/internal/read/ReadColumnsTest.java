package dev.lancetorch.internal.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** Which columns the read planner takes: fixed-width and variable-length ones, nothing else. */
class ReadColumnsTest {
  static Field list(String name, ArrowType listType, ArrowType item) {
    return new Field(name, FieldType.nullable(listType), List.of(Field.nullable("item", item)));
  }

  static final ArrowType I32 = new ArrowType.Int(32, true);
  static final ArrowType F32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);

  static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("s", ArrowType.Utf8.INSTANCE),
              Field.nullable("ls", ArrowType.LargeUtf8.INSTANCE),
              Field.nullable("b", ArrowType.Binary.INSTANCE),
              Field.nullable("lb", ArrowType.LargeBinary.INSTANCE),
              list("tok", ArrowType.List.INSTANCE, I32),
              list("ltok", ArrowType.LargeList.INSTANCE, F32),
              list("flags", ArrowType.List.INSTANCE, ArrowType.Bool.INSTANCE),
              new Field(
                  "nested",
                  FieldType.nullable(ArrowType.List.INSTANCE),
                  List.of(list("item", ArrowType.List.INSTANCE, I32))),
              new Field(
                  "dict",
                  new FieldType(
                      true, ArrowType.Utf8.INSTANCE, new DictionaryEncoding(1, false, null)),
                  List.of()),
              new Field(
                  "st",
                  FieldType.nullable(ArrowType.Struct.INSTANCE),
                  List.of(Field.nullable("a", I32)))));

  @Test
  void fixedWidthAndVariableLengthColumnsQualify() {
    ReadColumns fixed = ReadColumns.of(SCHEMA, List.of("id"));
    assertThat(fixed.fixedWidth()).isTrue();
    assertThat(fixed.rowBytes()).isEqualTo(8);
    ReadColumns all = ReadColumns.of(SCHEMA, List.of("id", "s", "ls", "b", "lb", "tok", "ltok"));
    assertThat(all).isNotNull();
    assertThat(all.fixedWidth()).isFalse();
    assertThat(all.dataColumns()).hasSize(7);
    // 8 + offsets (4, 8, 4, 8, 4, 8) + 6 × the assumed values per row
    assertThat(all.rowBytes()).isEqualTo(8 + 36 + 6 * ReadColumns.VARIABLE_ROW_BYTES);
    assertThat(all.schema().findField("ltok").getType()).isEqualTo(ArrowType.LargeList.INSTANCE);
  }

  @Test
  void boolItemsNestedListsDictionariesAndStructsDoNot() {
    for (String c : List.of("flags", "nested", "dict", "st", "missing")) {
      assertThat(ReadColumns.of(SCHEMA, List.of("id", c))).as(c).isNull();
    }
  }
}
