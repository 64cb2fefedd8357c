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
 * Issue 24 items 1 and 2: data Lance panics on (a zero-width fixed-size list; arrays shorter than
 * the batch's row count) is refused on every write path with an {@link IllegalArgumentException}
 * naming table and column, before Lance sees it. Runs {@link BadWriteMain} in a forked JVM: before
 * the checks, the first case aborted the JVM (exit 134).
 */
class BadWriteTest {
  @TempDir Path dir;

  @Test
  void everyWritePathRefusesDataLanceWouldAbortOn() throws Exception {
    Process p =
        new ProcessBuilder(
                ChildJvm.command(
                    List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xss4m"),
                    BadWriteMain.class,
                    dir.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    boolean done = p.waitFor(300, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String log = Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
    assertThat(done).as("finished; output:%n%s", log).isTrue();
    assertThat(p.exitValue()).as("exit code (134 = abort); output:%n%s", log).isZero();
    assertThat(log).contains("ALL CASES RETURNED");
    List<String> cases = log.lines().filter(l -> l.startsWith("CASE ")).toList();
    assertThat(cases).hasSize(10);
    assertThat(cases)
        .allSatisfy(
            c ->
                assertThat(c)
                    .contains(": threw IllegalArgumentException: ")
                    .containsAnyOf("table '", "column '"));
    assertThat(log)
        .contains("CASE rows float[0]: threw IllegalArgumentException: column 'v' has a zero")
        .contains("CASE root FixedSizeList(0): threw IllegalArgumentException: table 'f0'")
        .contains("CASE add root rows > values: threw IllegalArgumentException: table 'e4'")
        .contains("has 5 values, but the batch needs 1000 rows")
        .contains("column 'v.items' has 40 values, but the batch needs 4000 rows")
        .contains("rows after the refused adds: 0")
        .contains("tables: [e4]"); // nothing half-written left by the refused creates
  }
}
