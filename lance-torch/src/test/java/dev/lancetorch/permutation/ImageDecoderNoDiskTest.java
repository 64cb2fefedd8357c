package dev.lancetorch.permutation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.torch.NativeLibrary;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ImageDecoder} decodes in memory: no temporary file per image (ImageIO's disk cache, which
 * {@code ImageIO.read(InputStream)} uses by default, cost the image job a file created, written,
 * read back and deleted per image: a third of its CPU time in the kernel).
 */
class ImageDecoderNoDiskTest {
  @BeforeAll
  static void load() {
    NativeLibrary.load();
  }

  @Test
  void decodingNeedsNoCacheDirectory(@TempDir Path tmp) throws IOException {
    List<byte[]> pngs =
        List.of(
            ImageDecoderTest.encode("png", BufferedImage.TYPE_BYTE_GRAY, 0, 5, 4),
            ImageDecoderTest.encode("png", BufferedImage.TYPE_BYTE_GRAY, 1, 5, 4));
    Path gone = Files.createDirectory(tmp.resolve("imageio-cache"));
    File before = ImageIO.getCacheDirectory();
    boolean useCache = ImageIO.getUseCache();
    try {
      // ImageIO's disk cache on, in a directory that no longer exists: a decode that goes through
      // a temporary file fails here
      ImageIO.setUseCache(true);
      ImageIO.setCacheDirectory(gone.toFile());
      Files.delete(gone);
      try (TensorDict out =
          ImageDecoder.of("img").channels(1).apply(ImageDecoderTest.batch(pngs))) {
        assertThat(out.get("img").sizes().vec().get()).containsExactly(2, 1, 4, 5);
        byte[] px = ImageDecoderTest.bytes(out.get("img"));
        assertThat(px[20 + 2 * 5 + 3] & 0xff).isEqualTo((40 + 3 * 7 + 2 * 3) & 0xff);
      }
    } finally {
      ImageIO.setCacheDirectory(before);
      ImageIO.setUseCache(useCache);
    }
  }
}
