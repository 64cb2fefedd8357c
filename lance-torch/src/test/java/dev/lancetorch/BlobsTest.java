package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lance blob columns read lazily through lance-core's blob API. */
class BlobsTest {
  @TempDir Path dir;

  static byte[] payload(int row) {
    byte[] b = new byte[1000 + row * 37];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (row * 31 + i);
    }
    return b;
  }

  @Test
  void blobsAreReadOnDemandWholeOrByRange() {
    Field blob =
        new Field(
            "blob",
            new FieldType(
                true, ArrowType.LargeBinary.INSTANCE, null, Map.of("lance-encoding:blob", "true")),
            List.of());
    Schema schema = new Schema(List.of(Field.notNullable("id", new ArrowType.Int(64, true)), blob));
    try (RootAllocator a = new RootAllocator();
        Connection db =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(a).build())) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, a)) {
        root.allocateNew();
        BigIntVector id = (BigIntVector) root.getVector("id");
        LargeVarBinaryVector b = (LargeVarBinaryVector) root.getVector("blob");
        for (int r = 0; r < 6; r++) {
          id.setSafe(r, r);
          b.setSafe(r, payload(r));
        }
        root.setRowCount(6);
        db.createTable("media", root).close();
      }
      try (Table t = db.openTable("media")) {
        Blobs blobs = t.blobs("blob", new long[] {4, 1});
        try (blobs) {
          assertThat(blobs.size()).isEqualTo(2);
          assertThat(blobs.byteSize(0)).isEqualTo(payload(4).length);
          assertThat(blobs.read(0)).isEqualTo(payload(4));
          assertThat(blobs.read(1)).isEqualTo(payload(1));
          assertThat(blobs.readRange(0, 10, 5))
              .isEqualTo(java.util.Arrays.copyOfRange(payload(4), 10, 15));
          assertThatThrownBy(() -> blobs.read(2)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        blobs.close();
        assertThatThrownBy(() -> blobs.read(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> t.blobs("id", new long[] {0}))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("column 'id'");
      }
    }
  }
}
