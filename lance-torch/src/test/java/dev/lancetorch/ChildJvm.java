package dev.lancetorch;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for tests that run a class's {@code main} in a second JVM. */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * {@code java <jvmOptions> -cp <this test run's class path> <main> <args>}, with the running
   * JVM's {@code java} executable.
   */
  public static List<String> command(List<String> jvmOptions, Class<?> main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(
        System.getProperty("java.class.path")
            + File.pathSeparator
            + System.getProperty("surefire.test.class.path", ""));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }
}
