package dev.lancetorch.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.RemoteFixtures;
import dev.lancetorch.S3Server;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two JVMs on 127.0.0.1 train together over Gloo, each on its shard of one permutation. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DistributedTrainTest {
  private static final int ROWS = 1000;
  private static final int EPOCHS = 2;

  @TempDir Path dir;

  @Test
  void twoRanksEndIdenticalAndSeeEachSampleOncePerEpoch() throws Exception {
    String db = dir.resolve("db").toString();
    try (Connection c = LanceDb.connect(db)) {
      DistributedTrain.createTable(c, "points", ROWS);
    }
    check(runRanks(db, List.of()));
  }

  /** The multi-machine setup: the ranks share an object store (here an S3 server on 127.0.0.1). */
  @Test
  void twoRanksTrainFromS3() throws Exception {
    try (S3Server s3 = new S3Server("train")) {
      ConnectOptions o = ConnectOptions.builder().storageOptions(s3.storageOptions()).build();
      try (Connection c = LanceDb.connect("s3://train/db", o)) {
        DistributedTrain.createTable(c, "points", ROWS);
      }
      List<String> storage = new ArrayList<>();
      s3.storageOptions()
          .forEach(
              (k, v) -> {
                storage.add("--storage");
                storage.add(k + "=" + v);
              });
      check(runRanks("s3://train/db", storage));
    }
  }

  private List<List<String>> runRanks(String db, List<String> extra) throws Exception {
    int port = RemoteFixtures.freePort();
    List<Process> procs = new ArrayList<>();
    try {
      for (int rank = 0; rank < 2; rank++) {
        List<String> cmd =
            new ArrayList<>(
                List.of(
                    javaBin(),
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    DistributedTrain.class.getName(),
                    "--db",
                    db,
                    "--table",
                    "points",
                    "--rank",
                    Integer.toString(rank),
                    "--world-size",
                    "2",
                    "--master",
                    "127.0.0.1:" + port,
                    "--bind",
                    "127.0.0.1",
                    "--epochs",
                    Integer.toString(EPOCHS),
                    "--batch-size",
                    "25",
                    "--report",
                    dir.resolve("rank" + rank + ".txt").toString()));
        cmd.addAll(extra);
        procs.add(
            new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("rank" + rank + ".log").toFile())
                .start());
      }
      for (int rank = 0; rank < 2; rank++) {
        boolean done = procs.get(rank).waitFor(180, TimeUnit.SECONDS);
        assertThat(done).as("rank %d finished; log:%n%s", rank, log(rank)).isTrue();
        assertThat(procs.get(rank).exitValue())
            .as("rank %d exit; log:%n%s", rank, log(rank))
            .isZero();
      }
    } finally {
      for (Process p : procs) {
        p.destroyForcibly();
      }
    }
    return List.of(
        Files.readAllLines(dir.resolve("rank0.txt")), Files.readAllLines(dir.resolve("rank1.txt")));
  }

  private static void check(List<List<String>> reports) {
    List<String> r0 = reports.get(0);
    List<String> r1 = reports.get(1);
    assertThat(r0).hasSize(EPOCHS + 1);
    assertThat(r0.get(EPOCHS)).startsWith("params ").isEqualTo(r1.get(EPOCHS));
    String params = r0.get(EPOCHS);
    double w =
        Double.parseDouble(
            params.substring(params.indexOf("w=") + 2, params.indexOf(",", params.indexOf("w="))));
    assertThat(w).as("learned slope (data: y = 3x + 1)").isBetween(2.0, 4.0);
    Set<Long> all = LongStream.range(0, ROWS).boxed().collect(Collectors.toSet());
    for (int e = 0; e < EPOCHS; e++) {
      List<Long> a = ids(r0.get(e));
      List<Long> b = ids(r1.get(e));
      assertThat(a).doesNotHaveDuplicates().hasSize(ROWS / 2);
      assertThat(b).doesNotHaveDuplicates().hasSize(ROWS / 2);
      Set<Long> union = new HashSet<>(a);
      union.addAll(b);
      assertThat(union).isEqualTo(all);
    }
    assertThat(ids(r0.get(0))).isNotEqualTo(ids(r0.get(1)));
  }

  private String log(int rank) throws Exception {
    Path p = dir.resolve("rank" + rank + ".log");
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "(no log)";
  }

  private static List<Long> ids(String line) {
    String list = line.substring(line.indexOf(" ids ") + 5);
    List<Long> out = new ArrayList<>();
    for (String s : list.split(",")) {
      out.add(Long.parseLong(s));
    }
    return out;
  }

  private static String javaBin() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
