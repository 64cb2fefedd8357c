package dev.lancetorch.internal.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.torch.NativeLibrary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The C heap's trim runs at most every 0.5 s, from any thread, and never fails. */
class NativeHeapTest {
  @BeforeAll
  static void load() {
    NativeLibrary.load();
  }

  @Test
  void trimsAtMostEveryHalfSecond() throws Exception {
    Thread.sleep(NativeHeap.MIN_INTERVAL_NANOS / 1_000_000 + 50);
    NativeHeap.trim(); // runs (whether it released anything depends on the heap)
    long t0 = System.nanoTime();
    int ran = 0;
    for (int i = 0; i < 1000; i++) {
      ran += NativeHeap.trim() ? 1 : 0;
    }
    if (System.nanoTime() - t0 < NativeHeap.MIN_INTERVAL_NANOS) {
      assertThat(ran).as("throttled within the interval").isZero();
    }
    byte[][] garbage = new byte[64][];
    for (int i = 0; i < garbage.length; i++) {
      garbage[i] = new byte[1 << 16]; // something for the JVM to do meanwhile
    }
    Thread.sleep(NativeHeap.MIN_INTERVAL_NANOS / 1_000_000 + 50);
    Thread[] threads = new Thread[4];
    int[] runs = new int[threads.length];
    for (int k = 0; k < threads.length; k++) {
      int kk = k;
      threads[k] = new Thread(() -> runs[kk] = NativeHeap.trim() ? 1 : 0);
      threads[k].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(runs[0] + runs[1] + runs[2] + runs[3])
        .as("one thread at most trims")
        .isLessThanOrEqualTo(1);
    assertThat(garbage[63]).hasSize(1 << 16);
  }
}
