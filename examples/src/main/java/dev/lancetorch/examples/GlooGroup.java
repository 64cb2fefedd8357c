package dev.lancetorch.examples;

import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;

/**
 * A torch.distributed process group over Gloo (CPU), from the JavaCPP presets: rendezvous through a
 * {@link TCPStore} served by rank 0 at {@code masterHost:masterPort}, every collective bounded by
 * {@code timeoutMs} (a missing peer makes the collective throw instead of hanging).
 */
public final class GlooGroup implements AutoCloseable {
  private final int rank;
  private final int worldSize;
  private final TCPStore store;
  private final ProcessGroupGloo group;
  private boolean closed;

  /**
   * @param masterHost address of rank 0's store (every rank connects to it)
   * @param masterPort port of the store
   * @param bindHost the address Gloo binds on this machine (reachable by the other ranks)
   * @param rank this process's rank
   * @param worldSize number of processes
   * @param timeoutMs rendezvous and collective timeout
   */
  public GlooGroup(
      String masterHost, int masterPort, String bindHost, int rank, int worldSize, long timeoutMs) {
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " outside [0, " + worldSize + ")");
    }
    this.rank = rank;
    this.worldSize = worldSize;
    TCPStore s;
    try (TCPStoreOptions so = new TCPStoreOptions();
        SizeTPointer workers = new SizeTPointer(1)) {
      so.port((short) masterPort)
          .isServer(rank == 0)
          .waitWorkers(false)
          .timeout(new Milliseconds(timeoutMs));
      so.numWorkers(workers.put(worldSize));
      s = new TCPStore(masterHost, so); // copies the options
    }
    try {
      ProcessGroupGloo.Options po =
          ProcessGroupGloo.Options.create_default(new Milliseconds(timeoutMs));
      po.devices(new GlooDeviceVector(ProcessGroupGloo.createDeviceForHostname(bindHost)));
      this.group = new ProcessGroupGloo(s, rank, worldSize, po);
    } catch (RuntimeException e) {
      s.close();
      throw new IllegalStateException(
          "rank "
              + rank
              + ": Gloo rendezvous through "
              + masterHost
              + ":"
              + masterPort
              + " failed: "
              + e.getMessage(),
          e);
    }
    this.store = s;
  }

  public int rank() {
    return rank;
  }

  public int worldSize() {
    return worldSize;
  }

  /**
   * Sums {@code t} over all ranks, in place, and divides by the world size (gradient averaging).
   */
  public void allReduceMean(Tensor t) {
    try (TensorVector v = new TensorVector(t);
        AllreduceOptions o = new AllreduceOptions();
        ReduceOp op = new ReduceOp(ReduceOp.RedOpType.SUM)) {
      o.reduceOp(op);
      Work w = group.allreduce(v, o);
      try {
        w._wait();
      } finally {
        w.close();
      }
    }
    try (Scalar n = new Scalar((double) worldSize)) {
      t.div_(n);
    }
  }

  /** Copies rank {@code root}'s {@code t} into every rank's {@code t}, in place. */
  public void broadcast(Tensor t, int root) {
    try (TensorVector v = new TensorVector(t);
        BroadcastOptions o = new BroadcastOptions()) {
      o.rootRank(root);
      Work w = group.broadcast(v, o);
      try {
        w._wait();
      } finally {
        w.close();
      }
    }
  }

  /** Closes the group, then the store (rank 0's store is the server: close it last). Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      group.close();
    } finally {
      store.close();
    }
  }
}
