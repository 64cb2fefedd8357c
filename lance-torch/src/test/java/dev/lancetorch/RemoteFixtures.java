package dev.lancetorch;

import dev.lancetorch.loader.DataLoader;
import dev.lancetorch.permutation.ArrowBatch;
import dev.lancetorch.permutation.Permutation;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BigIntVector;
import org.lance.namespace.RestAdapter;

/**
 * Test fixtures for remote databases: lance-core's REST namespace server over a directory, loader
 * reads.
 */
public final class RemoteFixtures {
  private RemoteFixtures() {}

  /**
   * lance-core's {@link RestAdapter} serving a {@code DirectoryNamespace} rooted at a local
   * directory. Differs from LanceDB Cloud: no authentication (any API key passes), table locations
   * are paths on this machine.
   */
  public static final class RestServer implements AutoCloseable {
    private final RestAdapter adapter;
    private final int port;
    private boolean stopped;

    public RestServer(String root) {
      adapter = new RestAdapter("dir", Map.of("root", root), "127.0.0.1", 0);
      adapter.start();
      port = adapter.getPort();
    }

    public String url() {
      return "http://127.0.0.1:" + port;
    }

    public synchronized void stop() {
      if (!stopped) {
        stopped = true;
        adapter.stop();
      }
    }

    @Override
    public void close() {
      stop();
      adapter.close();
    }
  }

  /** A free loopback port (may be taken again by the time it is used; good enough for tests). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Ids of every row the loader yields for one epoch, in yield order. */
  public static List<Long> loaderIds(Permutation<ArrowBatch> p, int workers, int batchSize) {
    List<Long> out = new ArrayList<>();
    try (DataLoader<long[]> loader =
        DataLoader.builder(p)
            .batchSize(batchSize)
            .numWorkers(workers)
            .collate(RemoteFixtures::ids)
            .build()) {
      for (long[] ids : loader) {
        for (long id : ids) {
          out.add(id);
        }
      }
    }
    return out;
  }

  /** The {@code id} column of a batch; closes the batch. */
  public static long[] ids(ArrowBatch b) {
    try (b) {
      BigIntVector v = (BigIntVector) b.column("id");
      long[] out = new long[b.numRows()];
      for (int i = 0; i < out.length; i++) {
        out[i] = v.get(i);
      }
      return out;
    }
  }
}
