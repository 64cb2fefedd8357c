package dev.lancetorch.loader;

/** Called once in each worker thread after it opened its handle, before it loads anything. */
@FunctionalInterface
public interface WorkerInit {
  /**
   * @param seed the loader seed + workerId, for seeding per-worker randomness
   */
  void init(int workerId, long seed);
}
