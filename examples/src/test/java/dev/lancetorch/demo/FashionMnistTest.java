package dev.lancetorch.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's data path: IDX files (as Debian ships them) and the generated fallback, into a LanceDB
 * table.
 */
class FashionMnistTest {
  @TempDir Path dir;

  private Path idx(String name, int magic, int[] dims, byte[] data) throws IOException {
    Path p = dir.resolve(name);
    try (DataOutputStream out =
        new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(p)))) {
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
    return p;
  }

  @Test
  void readsIdxFilesIntoATableWithTheOfficialSplits() throws IOException {
    byte[] pixels = new byte[3 * FashionMnist.PIXELS];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7);
    }
    Path images = idx("img.gz", 2051, new int[] {3, 28, 28}, pixels);
    Path labels = idx("lab.gz", 2049, new int[] {3}, new byte[] {9, 0, (byte) 200});
    FashionMnist.Data train = FashionMnist.read(images, labels);
    assertThat(train.labels()).containsExactly(9, 0, 200);
    FashionMnist.Data test = FashionMnist.generated(2, 3);
    try (RootAllocator a = new RootAllocator();
        Connection db =
            LanceDb.connect(
                dir.resolve("db").toString(), ConnectOptions.builder().allocator(a).build())) {
      try (VectorSchemaRoot root = FashionMnist.toArrow(a, train, test);
          Table t = db.createTable("fm", root)) {
        // the layout (Lance stores the list item as nullable; the types are what matter)
        assertThat(t.schema().getFields())
            .extracting(f -> f.getName() + ":" + f.getType())
            .containsExactly("image:FixedSizeList(784)", "label:Int(64, true)", "split:Utf8");
        assertThat(t.schema().findField("image").getChildren().get(0).getType().toString())
            .isEqualTo("Int(8, false)");
        assertThat(t.countRows()).isEqualTo(5);
        assertThat(t.countRows("split = 'train'")).isEqualTo(3);
        assertThat(t.countRows("split = 't10k'")).isEqualTo(2);
        try (VectorSchemaRoot rows = t.takeOffsets(new long[] {2, 0}, List.of("image", "label"))) {
          assertThat(rows.getVector("label").getObject(0)).isEqualTo(200L);
          @SuppressWarnings("unchecked")
          List<Object> img = (List<Object>) rows.getVector("image").getObject(1);
          assertThat(img).hasSize(FashionMnist.PIXELS);
          assertThat(((Number) img.get(5)).intValue()).isEqualTo(35);
        }
      }
    }
    assertThatThrownBy(() -> FashionMnist.read(labels, images))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("magic");
  }

  @Test
  void generatedDataIsDeterministicAndLabelled() {
    FashionMnist.Data a = FashionMnist.generated(50, 1);
    FashionMnist.Data b = FashionMnist.generated(50, 1);
    assertThat(a.images()).isEqualTo(b.images());
    assertThat(a.labels()).isEqualTo(b.labels());
    assertThat(java.util.Arrays.stream(a.labels())).allMatch(l -> l >= 0 && l < 10);
    assertThat(java.util.Arrays.stream(a.labels()).distinct().count()).isGreaterThan(3);
    assertThat(a.images()).hasSize(50 * FashionMnist.PIXELS);
  }
}
