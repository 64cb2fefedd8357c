package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Loader behaviour: bundled library extracted by content hash; a bad override names the path. */
class NativeLibraryTest {
  /** Entry point for the child JVM: loads and prints the outcome. */
  public static void main(String[] args) {
    try {
      NativeLibrary.load();
      System.out.println("LOADED");
    } catch (Throwable e) {
      System.out.println("FAILED " + e);
    }
  }

  @Test
  void bundledLibraryIsExtractedToTheHashedCache() throws Exception {
    NativeLibrary.load();
    assertThat(NativeLibrary.libtorchPath()).contains("libtorch_cpu.so");
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "lance-torch");
    Path tmp =
        Path.of(
            System.getProperty("java.io.tmpdir"), "lance-torch-" + System.getProperty("user.name"));
    boolean found = false;
    for (Path dir : List.of(cache, tmp)) {
      if (Files.isDirectory(dir)) {
        try (var s = Files.walk(dir, 2)) {
          found |=
              s.anyMatch(
                  p ->
                      p.getFileName().toString().equals("liblancetorch_jni.so")
                          && p.getParent().getFileName().toString().matches("[0-9a-f]{16}"));
        }
      }
    }
    assertThat(found).isTrue();
  }

  @Test
  void badOverridePathIsReported() throws Exception {
    Process p =
        new ProcessBuilder(
                ChildJvm.command(
                    List.of("-Dlancetorch.native.path=/nonexistent/liblancetorch_jni.so"),
                    NativeLibraryTest.class))
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out)
        .contains("FAILED java.lang.UnsatisfiedLinkError")
        .contains("/nonexistent/liblancetorch_jni.so")
        .contains("lancetorch.native.path");
  }
}
