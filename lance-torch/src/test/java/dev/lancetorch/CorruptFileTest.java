package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 8: a data file overwritten in the middle with random bytes (same size) after a
 * first read. lance-core's take panics on it and aborts the JVM, so this runs {@link
 * CorruptReadMain} in a forked JVM: it must exit normally, every read path returning or throwing a
 * Java exception — and the shuffled reads, which used Lance's take, must report the corruption.
 */
class CorruptFileTest {
  @TempDir Path dir;

  @Test
  void noReadPathAbortsTheJvmOnACorruptedDataFile() throws Exception {
    Process p =
        new ProcessBuilder(
                ChildJvm.command(
                    List.of(
                        "--add-opens=java.base/java.nio=ALL-UNNAMED",
                        "-Xss4m",
                        "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"),
                    CorruptReadMain.class,
                    dir.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    boolean done = p.waitFor(300, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String log = Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
    String paths = String.join("\n", log.lines().filter(l -> l.startsWith("PATH ")).toList());
    assertThat(done).as("finished; output:%n%s", log).isTrue();
    assertThat(p.exitValue()).as("exit code (134 = abort); output:%n%s", log).isZero();
    assertThat(log).contains("ALL PATHS RETURNED");
    assertThat(paths)
        .as(paths)
        .contains(
            "PATH takeRowIds: threw LanceIoException",
            "PATH takeOffsets: threw LanceIoException",
            "PATH shuffled ARROW: threw",
            "PATH shuffled TORCH_DICT: threw",
            "PATH random access: threw",
            "PATH scan: threw");
    // issue 24 item 13: one documented class for storage faults, naming the table read
    for (String path :
        List.of(
            "scan",
            "identity ARROW",
            "identity ROWS",
            "identity TORCH_DICT",
            "shuffled ARROW",
            "shuffled TORCH_DICT",
            "memory cache",
            "filtered ARROW",
            "sql",
            "countRows(filter)",
            "execute",
            "execute filter after delete",
            "execute splitCalculated after delete",
            "scan after delete")) {
      assertThat(paths).as(paths).contains("PATH " + path + ": threw LanceIoException: ");
    }
    assertThat(paths)
        .as(paths)
        .contains(
            "PATH execute splitCalculated after delete: threw LanceIoException: reading table 't'")
        .contains("PATH countRows(filter): threw LanceIoException: counting rows (filter")
        .doesNotContain("'permutation'")
        .doesNotContain("invalid filter");
  }
}
