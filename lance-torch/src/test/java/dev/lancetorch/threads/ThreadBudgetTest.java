package dev.lancetorch.threads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.internal.jni.NativeBridge;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thread budget: policy, override order, and (in child JVMs) that torch, OpenBLAS and Lance
 * obey it.
 */
class ThreadBudgetTest {
  @Test
  void policyPartitionsTheCores() {
    ThreadBudget two = ThreadBudget.forCores(2);
    assertThat(
            List.of(
                two.torchThreads(),
                two.openblasThreads(),
                two.interopThreads(),
                two.loaderWorkers(),
                two.readThreads(),
                two.lanceCpuThreads(),
                two.lanceTokioThreads(),
                two.lanceIoThreads()))
        .containsExactly(1, 1, 1, 1, 4, 1, 2, 0);
    ThreadBudget sixteen = ThreadBudget.forCores(16);
    assertThat(
            List.of(
                sixteen.torchThreads(),
                sixteen.openblasThreads(),
                sixteen.loaderWorkers(),
                sixteen.readThreads(),
                sixteen.lanceCpuThreads(),
                sixteen.lanceTokioThreads()))
        .containsExactly(10, 10, 4, 32, 6, 6);
    for (int c = 1; c <= 128; c++) {
      ThreadBudget b = ThreadBudget.forCores(c);
      assertThat(b.torchThreads() + b.loaderWorkers())
          .as("cores %d", c)
          .isLessThanOrEqualTo(Math.max(2, c));
    }
    assertThatThrownBy(() -> ThreadBudget.forCores(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void propertiesBeatEnvironmentBeatsPolicy() {
    Map<String, String> props =
        Map.of(
            "lancetorch.threads.cores",
            "16",
            "lancetorch.threads.torch",
            "3",
            "lancetorch.threads.read",
            "5");
    Map<String, String> env = Map.of("OMP_NUM_THREADS", "5", "LANCE_CPU_THREADS", "7");
    ThreadBudget b = ThreadBudget.resolve(props::get, env::get);
    assertThat(b.cores()).isEqualTo(16);
    assertThat(b.torchThreads()).isEqualTo(3);
    assertThat(b.openblasThreads())
        .as("OpenBLAS falls back to OMP_NUM_THREADS, as OpenBLAS does")
        .isEqualTo(5);
    assertThat(b.lanceCpuThreads()).isEqualTo(7);
    assertThat(b.readThreads()).isEqualTo(5);
    assertThat(b.loaderWorkers()).isEqualTo(4);
    assertThat(b.source())
        .contains(
            "torch=-Dlancetorch.threads.torch",
            "openblas=$OMP_NUM_THREADS",
            "lance.cpu=$LANCE_CPU_THREADS",
            "workers=policy");
    Map<String, String> both = Map.of("OMP_NUM_THREADS", "5", "OPENBLAS_NUM_THREADS", "2");
    assertThat(ThreadBudget.resolve(k -> null, both::get).openblasThreads()).isEqualTo(2);
    Map<String, String> bad = Map.of("lancetorch.threads.torch", "many");
    assertThatThrownBy(() -> ThreadBudget.resolve(bad::get, k -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lancetorch.threads.torch");
  }

  /**
   * Child JVM: connects (which applies the budget), uses Lance, prints what each pool ended up
   * with.
   */
  public static void main(String[] args) throws Exception {
    try (Connection db = LanceDb.connect(args[0]);
        Table t = db.createTable("t", List.of(Map.of("x", 1L), Map.of("x", 2L)))) {
      System.out.println("rows " + t.countRows());
    }
    System.out.println("torch " + org.bytedeco.pytorch.global.torch.get_num_threads());
    System.out.println("openblas " + NativeBridge.openblasThreads(0));
    // tokio names its blocking-pool threads like its workers; idle blocking threads exit after 10
    // s, workers stay
    Thread.sleep(11_500);
    System.out.println("tokio " + threadsNamed("tokio-rt-worker"));
  }

  private static long threadsNamed(String prefix) throws Exception {
    long n = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        if (Files.readString(task.resolve("comm")).trim().startsWith(prefix)) {
          n++;
        }
      }
    }
    return n;
  }

  private static Process child(Path db, String... props) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED"));
    cmd.addAll(List.of(props));
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path")
                + File.pathSeparator
                + System.getProperty("surefire.test.class.path", ""),
            ThreadBudgetTest.class.getName(),
            db.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // the parent's own settings must not leak into the child
    Stream.of(
            "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "LANCE_CPU_THREADS", "TOKIO_WORKER_THREADS")
        .forEach(pb.environment()::remove);
    return pb.start();
  }

  private static String output(Process p) throws Exception {
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out).as(out).contains("rows 2");
    return out;
  }

  @Test
  void childJvmPoolsFollowTheBudget(@TempDir Path dir) throws Exception {
    Process three =
        child(
            dir.resolve("a"),
            "-Dlancetorch.threads.lance.tokio=3",
            "-Dlancetorch.threads.torch=2",
            "-Dlancetorch.threads.openblas=2");
    Process five =
        child(
            dir.resolve("b"),
            "-Dlancetorch.threads.lance.tokio=5",
            "-Dlancetorch.threads.torch=1",
            "-Dlancetorch.threads.openblas=1");
    assertThat(output(three)).contains("tokio 3\n", "torch 2\n", "openblas 2\n");
    assertThat(output(five)).contains("tokio 5\n", "torch 1\n", "openblas 1\n");
  }
}
