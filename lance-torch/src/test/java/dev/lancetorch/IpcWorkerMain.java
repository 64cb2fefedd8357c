package dev.lancetorch;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Stand-in for a worker in another JVM: reads an Arrow IPC file into {@code memory://worker}, then
 * prints "rows=N sum=S" (sum of the id column) for the parent to check. Args: ipcFile.
 */
public final class IpcWorkerMain {
  private IpcWorkerMain() {}

  public static void main(String[] args) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        Connection db =
            LanceDb.connect(
                "memory://worker", ConnectOptions.builder().allocator(allocator).build());
        InputStream in = Files.newInputStream(Paths.get(args[0]));
        Table t = db.createTableFromArrowIpc("handed", in, CreateMode.CREATE)) {
      long sum = 0;
      for (long id : TestData.ids(t.query().select("id").toArrowReader())) {
        sum += id;
      }
      System.out.println("rows=" + t.countRows() + " sum=" + sum);
    }
  }
}
