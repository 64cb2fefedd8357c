package dev.lancetorch.loader;

/** The rank/world-size check shared by {@link DataLoader} and {@link StreamingDataset} builders. */
final class Ranks {
  private Ranks() {}

  /**
   * @throws IllegalArgumentException unless {@code 0 <= rank < worldSize}
   */
  static void check(int rank, int worldSize) {
    if (worldSize <= 0 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException(
          "need 0 <= rank < worldSize, got " + rank + " of " + worldSize);
    }
  }
}
