package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.loader.DataLoaderException;
import dev.lancetorch.loader.OnTransformError;
import dev.lancetorch.loader.StreamingDataset;
import dev.lancetorch.torch.BridgeStats;
import dev.lancetorch.torch.NativeLibrary;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PNG/JPEG bytes (jagged uint8 + offsets) to (R, C, H, W) uint8: exact pixels, channel order,
 * resize, errors.
 */
class ImageDecoderTest {
  @BeforeAll
  static void load() {
    NativeLibrary.load();
  }

  static int rgb(int r, int x, int y) {
    return ((10 * r + x) & 0xff) << 16 | ((20 + y) & 0xff) << 8 | ((30 + x + y) & 0xff);
  }

  static byte[] encode(String format, int type, int row, int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (type == BufferedImage.TYPE_BYTE_GRAY) {
          img.getRaster().setSample(x, y, 0, (row * 40 + x * 7 + y * 3) & 0xff);
        } else {
          img.setRGB(x, y, rgb(row, x, y));
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, out)).isTrue();
    return out.toByteArray();
  }

  static Tensor tensor(long[] shape, ScalarType type) {
    try (TensorOptions o = new TensorOptions(type);
        MemoryFormatOptional f = new MemoryFormatOptional()) {
      return torch.empty(shape, o, f);
    }
  }

  /** A TORCH_DICT-like batch: id (R) + img bytes + img.offsets. */
  static TensorDict batch(List<byte[]> images) {
    int total = images.stream().mapToInt(b -> b.length).sum();
    byte[] all = new byte[total];
    long[] off = new long[images.size() + 1];
    long[] ids = new long[images.size()];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i), 0, all, (int) off[i], images.get(i).length);
      off[i + 1] = off[i] + images.get(i).length;
      ids[i] = 100 + i;
    }
    LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
    Tensor id = tensor(new long[] {ids.length}, ScalarType.Long);
    if (ids.length > 0) { // an empty tensor's data pointer is null
      id.data_ptr_long().put(ids);
    }
    Tensor v = tensor(new long[] {total}, ScalarType.Byte);
    if (total > 0) {
      v.data_ptr_byte().put(all);
    }
    Tensor o = tensor(new long[] {off.length}, ScalarType.Long);
    o.data_ptr_long().put(off);
    m.put("id", id);
    m.put("img", v);
    m.put("img.offsets", o);
    return new TensorDict(m);
  }

  static byte[] bytes(Tensor t) {
    byte[] out = new byte[(int) t.numel()];
    t.data_ptr_byte().get(out);
    return out;
  }

  @Test
  void grayscalePngsDecodeExactly() throws IOException {
    List<byte[]> pngs =
        List.of(
            encode("png", BufferedImage.TYPE_BYTE_GRAY, 0, 5, 4),
            encode("png", BufferedImage.TYPE_BYTE_GRAY, 1, 5, 4));
    try (TensorDict out = ImageDecoder.of("img").channels(1).apply(batch(pngs))) {
      assertThat(out.keySet()).containsExactly("id", "img");
      Tensor t = out.get("img");
      assertThat(t.sizes().vec().get()).containsExactly(2, 1, 4, 5);
      assertThat(t.scalar_type().intern()).isEqualTo(ScalarType.Byte);
      byte[] px = bytes(t);
      for (int r = 0; r < 2; r++) {
        for (int y = 0; y < 4; y++) {
          for (int x = 0; x < 5; x++) {
            assertThat(px[r * 20 + y * 5 + x] & 0xff).isEqualTo((r * 40 + x * 7 + y * 3) & 0xff);
          }
        }
      }
      assertThat(out.get("id").size(0)).isEqualTo(2);
    }
  }

  @Test
  void rgbIsPlanarInRgbOrderAndJpegDecodes() throws IOException {
    List<byte[]> imgs =
        List.of(
            encode("png", BufferedImage.TYPE_INT_RGB, 2, 3, 2),
            encode("jpeg", BufferedImage.TYPE_INT_RGB, 2, 3, 2));
    try (TensorDict out = ImageDecoder.of("img").apply(batch(imgs))) {
      Tensor t = out.get("img");
      assertThat(t.sizes().vec().get()).containsExactly(2, 3, 2, 3);
      byte[] px = bytes(t);
      int plane = 6;
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 3; x++) {
          int c = rgb(2, x, y);
          assertThat(px[y * 3 + x] & 0xff).isEqualTo((c >> 16) & 0xff);
          assertThat(px[plane + y * 3 + x] & 0xff).isEqualTo((c >> 8) & 0xff);
          assertThat(px[2 * plane + y * 3 + x] & 0xff).isEqualTo(c & 0xff);
          // JPEG is lossy: close to the PNG's pixels
          assertThat(Math.abs((px[18 + y * 3 + x] & 0xff) - ((c >> 16) & 0xff))).isLessThan(40);
        }
      }
    }
  }

  @Test
  void resizeGivesOneShapeForMixedSizes() throws IOException {
    List<byte[]> imgs =
        List.of(
            encode("png", BufferedImage.TYPE_BYTE_GRAY, 0, 8, 8),
            encode("png", BufferedImage.TYPE_BYTE_GRAY, 1, 4, 6));
    try (TensorDict out = ImageDecoder.of("img").channels(1).resize(3, 5).apply(batch(imgs))) {
      assertThat(out.get("img").sizes().vec().get()).containsExactly(2, 1, 3, 5);
    }
    assertThatThrownBy(() -> ImageDecoder.of("img").channels(1).apply(batch(imgs)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "column 'img' row 1 of the batch: image is 6x4 but row 0 is 8x8; give a resize");
  }

  static List<Long> shape(Tensor t) {
    List<Long> out = new java.util.ArrayList<>();
    for (int d = 0; d < t.dim(); d++) {
      out.add(t.size(d));
    }
    return out;
  }

  /** Issue 24 item 16: 0 rows, a missing or non-binary column. */
  @Test
  void emptyBatchesAndColumnsThatAreNotImagesGiveClearResults() throws IOException {
    try (TensorDict out = ImageDecoder.of("img").resize(4, 5).apply(batch(List.of()))) {
      assertThat(shape(out.get("img"))).containsExactly(0L, 3L, 4L, 5L);
      assertThat(out.get("id").size(0)).isZero();
    }
    try (TensorDict out = ImageDecoder.of("img").channels(1).apply(batch(List.of()))) {
      assertThat(shape(out.get("img"))).containsExactly(0L, 1L, 0L, 0L);
    }
    byte[] png = encode("png", BufferedImage.TYPE_BYTE_GRAY, 0, 3, 2);
    assertThatThrownBy(() -> ImageDecoder.of("id").apply(batch(List.of(png, png))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "ImageDecoder: column 'id' is a Long tensor of shape [2] without 'id.offsets', not an"
                + " encoded-image column");
    assertThatThrownBy(() -> ImageDecoder.of("nope").apply(batch(List.of(png))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ImageDecoder: no column 'nope' in the batch; columns: [id, img,");
  }

  @Test
  void undecodableBytesNameTheColumnAndRow() throws IOException {
    List<byte[]> imgs =
        List.of(encode("png", BufferedImage.TYPE_BYTE_GRAY, 0, 2, 2), new byte[] {1, 2, 3, 4});
    assertThatThrownBy(() -> ImageDecoder.of("img").apply(batch(imgs)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("column 'img' row 1 of the batch: 4 bytes that no image reader recognises");
    assertThatThrownBy(() -> ImageDecoder.of("img").idColumn("id").apply(batch(imgs)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "column 'img' row 1 of the batch (id 101): 4 bytes that no image reader recognises");
    // a truncated PNG: the reader starts and fails
    byte[] png = encode("png", BufferedImage.TYPE_BYTE_GRAY, 0, 2, 2);
    List<byte[]> cut = List.of(png, java.util.Arrays.copyOf(png, 30));
    assertThatThrownBy(() -> ImageDecoder.of("img").idColumn("id").apply(batch(cut)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("column 'img' row 1 of the batch (id 101): undecodable image");
    assertThatThrownBy(() -> ImageDecoder.of("img").channels(2))
        .hasMessageContaining("channels must be 1 or 3");
    assertThatThrownBy(() -> ImageDecoder.of("img").resize(0, 3))
        .hasMessageContaining("sizes must be > 0");
  }

  @Test
  void undecodableRowsFollowTheLoadersErrorPolicy(@TempDir Path dir) throws Exception {
    Schema schema = new Schema(List.of(Field.notNullable("png", ArrowType.Binary.INSTANCE)));
    try (RootAllocator a = new RootAllocator();
        Connection db =
            LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(a).build())) {
      Table t;
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, a)) {
        VarBinaryVector v = (VarBinaryVector) root.getVector("png");
        for (int r = 0; r < 20; r++) {
          v.setSafe(
              r,
              r == 5 ? new byte[] {9, 9, 9} : encode("png", BufferedImage.TYPE_BYTE_GRAY, r, 3, 2));
        }
        v.setValueCount(20);
        root.setRowCount(20);
        t = db.createTable("imgs", root);
      }
      try (t) {
        Permutation<TensorDict> p =
            Permutation.identity(t).selectColumns("png", "_rowid").withFormat(Format.TORCH_DICT);
        ImageDecoder decode = ImageDecoder.of("png").channels(1);
        String message =
            "column 'png' row 5 of the batch (_rowid 5): 3 bytes that no image reader recognises";
        try (StreamingDataset<TensorDict> ds =
            StreamingDataset.builder(p)
                .shuffle(false)
                .readBatchSize(8)
                .transform(decode)
                .onTransformError(OnTransformError.SKIP)
                .build()) {
          assertThat(decodedRows(ds)).isEqualTo(19);
          assertThat(ds.metrics().rowsSkipped()).isEqualTo(1);
        }
        try (DataLoader<TensorDict> loader =
            DataLoader.builder(p)
                .batchSize(8)
                .numWorkers(2)
                .collate(decode)
                .onTransformError(OnTransformError.SKIP)
                .build()) {
          assertThat(decodedRows(loader)).isEqualTo(19);
          assertThat(loader.metrics().rowsSkipped()).isEqualTo(1);
        }
        try (DataLoader<TensorDict> loader =
                DataLoader.builder(p).batchSize(8).collate(decode).build();
            StreamingDataset<TensorDict> ds =
                StreamingDataset.builder(p)
                    .shuffle(false)
                    .readBatchSize(8)
                    .transform(decode)
                    .onTransformError(OnTransformError.RAISE)
                    .build()) {
          for (Iterable<TensorDict> source : List.<Iterable<TensorDict>>of(loader, ds)) {
            assertThatThrownBy(() -> decodedRows(source))
                .isInstanceOf(DataLoaderException.class)
                .rootCause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
          }
        }
      }
    }
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
  }

  /** Rows of (1, 2, 3) images yielded; each batch closed. */
  static long decodedRows(Iterable<TensorDict> batches) {
    long n = 0;
    for (TensorDict d : batches) {
      try (d) {
        assertThat(d.get("png").sizes().vec().get()).endsWith(1, 2, 3);
        n += d.get("png").size(0);
      }
    }
    return n;
  }
}
