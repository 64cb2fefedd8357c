package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.WorkerStart;

/** Called once in each worker thread after it opened its handle, before it loads anything. */
@FunctionalInterface
public interface WorkerInit extends WorkerStart {
  /**
   * @param seed the loader seed + workerId, for seeding per-worker randomness
   */
  @Override
  void init(int workerId, long seed);
}
