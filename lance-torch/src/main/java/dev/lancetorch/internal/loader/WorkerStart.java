package dev.lancetorch.internal.loader;

/**
 * What a worker thread runs once after it opened its handle, before it loads anything: the internal
 * side of the public {@code dev.lancetorch.loader.WorkerInit}, which extends it.
 */
@FunctionalInterface
public interface WorkerStart {
  /**
   * @param seed the loader seed + workerId, for seeding per-worker randomness
   */
  void init(int workerId, long seed);
}
