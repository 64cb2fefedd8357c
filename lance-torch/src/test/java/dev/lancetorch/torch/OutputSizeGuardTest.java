package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 item 12: output sizes are checked before anything is allocated. {@code
 * PadOptions.fixed(Integer.MAX_VALUE)} over 2 rows used to allocate and fill 21 GB; a gather of
 * 2^40 positions, or of sizes whose sum wraps to 0, was accepted. Each must fail at once with an
 * {@link IllegalArgumentException} naming the column (where there is one) and the size. Runs {@link
 * OutputSizeGuardMain} in a child JVM, so a regression is a failed test rather than this JVM killed
 * for memory.
 */
class OutputSizeGuardTest {
  @TempDir Path dir;

  @Test
  void oversizedOutputsAreRefusedBeforeAllocation() throws Exception {
    Path logFile = dir.resolve("child.log");
    Process p =
        new ProcessBuilder(
                ChildJvm.command(
                    List.of(
                        "--add-opens=java.base/java.nio=ALL-UNNAMED",
                        "-Xss4m",
                        "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"),
                    OutputSizeGuardMain.class))
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String log = Files.readString(logFile, StandardCharsets.UTF_8);
    assertThat(done).as("finished in 120 s; output:%n%s", log).isTrue();
    assertThat(p.exitValue()).as("exit code; output:%n%s", log).isZero();
    assertThat(log)
        .contains(
            "CASE pad fixed(Integer.MAX_VALUE): threw IllegalArgumentException: column 'tok'"
                + " (format '+l'): padded output of 2 rows x length 2147483647 (int32, plus mask"
                + " and lengths) needs 21474836486 bytes, beyond the limit of 4294967296 bytes per"
                + " call (LT_MAX_OUTPUT_BYTES)",
            "CASE gather 2^40 rows: threw IllegalArgumentException: lt_gather_create: total rows"
                + " 1099511627776 beyond 2147483647 positions per gather (LT_MAX_GATHER_ROWS)",
            "CASE gather sizes wrapping to 0: threw IllegalArgumentException:"
                + " lt_gather_create_sized: output sizes add up to more than 2147483647 positions",
            "CASE gather outputs of 2^31 - 1 rows: threw IllegalArgumentException: lt_gather: 2048"
                + " outputs of 2147483647 rows in all (widest: column 'x' (format 'l', 8 bytes per"
                + " row)) needs ",
            "ALL CASES RAN");
  }
}
