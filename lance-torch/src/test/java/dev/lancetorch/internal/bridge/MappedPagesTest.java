package dev.lancetorch.internal.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lancetorch.internal.jni.NativeLoader;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.memory.util.MemoryUtil;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MappedPages#populate}: a file mapping's pages are in the page tables at once. */
class MappedPagesTest {
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    NativeLoader.load();
  }

  @Test
  void populateMapsEveryPageOfTheRangeWithoutReadingIt() throws IOException {
    assumeTrue(
        System.getProperty("os.name").startsWith("Linux")
            && Files.isReadable(Path.of("/proc/self/smaps")));
    Path file = dir.resolve("pages");
    byte[] data = new byte[8 << 20];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31);
    }
    Files.write(file, data);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long at = 12_345; // not page-aligned: the call rounds the range out to whole pages
      long len = data.length - at - 1000;
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, at, len);
      long address = MemoryUtil.getByteBufferAddress(map);
      assertThat(residentKiB(address)).as("nothing read yet").isLessThan(len / 1024 / 2);
      assumeTrue(MappedPages.populate(address, len), "a kernel before 5.14");
      assertThat(residentKiB(address)).as("every page mapped").isGreaterThanOrEqualTo(len / 1024);
      assertThat(map.get((int) (len - 1))).isEqualTo(data[(int) (at + len - 1)]);
      assertThat(MappedPages.populate(address, 0)).isTrue();
    }
  }

  @Test
  void aBadRangeIsAnIllegalArgument() {
    assertThatThrownBy(() -> MappedPages.populate(0, 4096))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad range");
    assertThatThrownBy(() -> MappedPages.populate(4096, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Rss of the mapping of /proc/self/smaps that holds {@code address}, in KiB. */
  static long residentKiB(long address) throws IOException {
    boolean in = false;
    for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
      int dash = line.indexOf('-');
      if (dash > 0 && line.indexOf(' ') > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
        long lo = Long.parseUnsignedLong(line.substring(0, dash), 16);
        long hi = Long.parseUnsignedLong(line.substring(dash + 1, line.indexOf(' ')), 16);
        in = Long.compareUnsigned(address, lo) >= 0 && Long.compareUnsigned(address, hi) < 0;
      } else if (in && line.startsWith("Rss:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new AssertionError("no mapping holds " + Long.toHexString(address));
  }
}
