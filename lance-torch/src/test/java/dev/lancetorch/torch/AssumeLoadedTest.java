package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.ChildJvm;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NativeLibrary#assumeLoaded()}: an application that loads the JNI library itself skips
 * lance-torch's lookup (even a broken {@code -Dlancetorch.native.path} is then never read) and the
 * bridge works; the platform folder of the bundled library is computed at run time.
 */
class AssumeLoadedTest {
  /**
   * Child JVM: {@code System.load(args[0])} (unless it is {@code -}), then {@code assumeLoaded()}
   * and a native call.
   */
  public static void main(String[] args) {
    try {
      if (!args[0].equals("-")) {
        System.load(args[0]);
      }
      NativeLibrary.assumeLoaded();
      NativeLibrary.load();
      BridgeStats stats = BridgeStats.snapshot();
      System.out.println("LOADED live=" + stats.liveBatches());
    } catch (Throwable e) {
      System.out.println("FAILED " + e);
    }
  }

  @Test
  void theBundledLibraryLivesInThePlatformFolder() {
    assertThat(NativeLibrary.RESOURCE)
        .isEqualTo(
            "/dev/lancetorch/native/"
                + org.bytedeco.javacpp.Loader.getPlatform()
                + "/liblancetorch_jni.so")
        .contains("/linux-x86_64/");
    assertThat(NativeLibrary.class.getResource(NativeLibrary.RESOURCE)).isNotNull();
  }

  @Test
  void anApplicationThatLoadedTheLibraryItselfSkipsTheLookup(@TempDir Path dir) throws Exception {
    Path lib = dir.resolve("own-copy-of-liblancetorch_jni.so");
    try (InputStream in = NativeLibrary.class.getResourceAsStream(NativeLibrary.RESOURCE)) {
      Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
    }
    String out = runChild("-Dlancetorch.native.path=/nonexistent/liblancetorch_jni.so", lib);
    assertThat(out).contains("LOADED live=0").doesNotContain("FAILED");
  }

  @Test
  void assumeLoadedWithoutTheLibraryFailsOnTheFirstNativeCall() throws Exception {
    String out = runChild("-Dlancetorch.native.path=/nonexistent/liblancetorch_jni.so", null);
    assertThat(out).contains("FAILED").contains("UnsatisfiedLinkError");
  }

  private static String runChild(String property, Path lib) throws Exception {
    Process p =
        new ProcessBuilder(
                ChildJvm.command(
                    List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", property),
                    AssumeLoadedTest.class,
                    lib == null ? "-" : lib.toString()))
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
