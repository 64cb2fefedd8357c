package dev.lancetorch.loader;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressBarListenerTest {
  @Test
  void theProgressBarShowsThePercentilesOnceABatchWasWaitedFor() {
    assertThat(ProgressBarListener.message(1234.4, "loss 0.5", WaitLatency.NONE))
        .isEqualTo(" 1234 rows/s loss 0.5");
    WaitLatency w = new WaitLatency(10, 20_000, 1_500_000, 4_250_000, 9_000_000);
    assertThat(ProgressBarListener.message(1234.4, "", w))
        .isEqualTo(" 1234 rows/s, wait p50/p95/p99 0.02/1.50/4.25 ms");
  }
}
