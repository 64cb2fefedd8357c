package dev.lancetorch.internal.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lancetorch.internal.jni.NativeLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MappedPages}: a whole-file mapping is 2 MiB-aligned, its pages are in the page tables at
 * once, and it is unmapped exactly when its last buffer is released.
 */
class MappedPagesTest {
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    NativeLoader.load();
  }

  @Test
  void aWholeFileMappingIsAlignedFilledAndUnmappedWithItsLastBuffer() throws IOException {
    assumeLinux();
    Path file = dir.resolve("whole");
    byte[] data = written(file, (5 << 20) + 123, 7);
    try (RootAllocator a = new RootAllocator()) {
      ArrowBuf whole = a.wrapForeignAllocation(MappedPages.map(file, data.length));
      long address = whole.memoryAddress();
      assertThat(address % (2 << 20)).as("2 MiB-aligned").isZero();
      assertThat(mapsHold(file)).isTrue();
      assertThat(residentKiB(address)).as("page tables filled").isGreaterThanOrEqualTo(5 << 10);
      ArrowBuf slice = whole.slice(4 << 20, 1000);
      slice.getReferenceManager().retain();
      whole.close();
      assertThat(mapsHold(file)).as("a slice keeps it").isTrue();
      assertThat(slice.getByte(999)).isEqualTo(data[(4 << 20) + 999]);
      slice.close();
      assertThat(mapsHold(file)).as("unmapped with the last buffer").isFalse();
      assertThat(a.getAllocatedMemory()).isZero();
    }
    assertThatThrownBy(() -> MappedPages.map(dir.resolve("missing"), 10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot open");
    assertThatThrownBy(() -> MappedPages.map(file, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  static void assumeLinux() {
    assumeTrue(
        System.getProperty("os.name").startsWith("Linux")
            && Files.isReadable(Path.of("/proc/self/smaps")));
  }

  /** Writes {@code size} bytes (byte i = i * mult) to {@code file} and returns them. */
  static byte[] written(Path file, int size, int mult) throws IOException {
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (i * mult);
    }
    Files.write(file, data);
    return data;
  }

  static boolean mapsHold(Path file) throws IOException {
    return Files.readAllLines(Path.of("/proc/self/maps")).stream()
        .anyMatch(l -> l.endsWith(file.toString()));
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
