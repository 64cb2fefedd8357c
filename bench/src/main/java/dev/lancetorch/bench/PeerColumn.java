package dev.lancetorch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * LanceDB's own reader over some columns of a permutation, run in this program run: {@code
 * peer_column.mjs} (a resource of this module) copied into the lancedb-peer folder, next to its
 * packages, and run by Node over the first {@code n} rows at batch sizes 1024 and 16384.
 */
final class PeerColumn {
  private PeerColumn() {}

  /**
   * Runs the reader; returns M rows/s (median of {@code runs} after one warm-up) by batch size.
   *
   * @param db the database holding {@code numbers} (a path or an {@code s3://} URI)
   * @param storage Lance storage options of {@code db} (none for a local path)
   * @param json where the script writes its figures
   */
  static Map<Integer, Double> run(
      Path peerDir,
      String db,
      Map<String, String> storage,
      Path permsDir,
      String permTable,
      List<String> columns,
      long n,
      int runs,
      Path json)
      throws IOException, InterruptedException {
    Path script = peerDir.resolve("peer_column.mjs");
    try (InputStream in = PeerColumn.class.getResourceAsStream("peer_column.mjs")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                findOnPath("node"),
                script.getFileName().toString(),
                db,
                permsDir.toAbsolutePath().toString(),
                permTable,
                String.join(",", columns),
                Long.toString(n),
                "1024,16384",
                Integer.toString(runs),
                json.toAbsolutePath().toString()));
    storage.forEach((k, v) -> cmd.add(k + "=" + v));
    System.out.println("LanceDB peer: " + String.join(" ", cmd) + " (in " + peerDir + ")");
    Process p = new ProcessBuilder(cmd).directory(peerDir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("LanceDB peer failed (exit " + p.exitValue() + "): " + cmd);
    }
    Map<Integer, Double> out = new HashMap<>();
    new ObjectMapper()
        .readTree(json.toFile())
        .fields()
        .forEachRemaining(
            e -> out.put(Integer.parseInt(e.getKey()), e.getValue().asDouble() / 1e6));
    return out;
  }

  /** The executable {@code exe} on the PATH, or null. */
  static String findOnPath(String exe) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, exe);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }
}
