package dev.lancetorch.internal.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one way lance-torch owns a native handle: released exactly once, never used after. */
@Timeout(60)
class NativeHandleTest {
  final List<Long> released = new CopyOnWriteArrayList<>();

  @Test
  void releasedOnceClosingTwiceIsSafeAndUseAfterCloseThrows() {
    NativeHandle h = NativeHandle.owned("Thing", 42, released::add);
    assertThat(h.get()).isEqualTo(42);
    assertThat(h.isClosed()).isFalse();
    assertThat(h.close()).isTrue();
    assertThat(h.close()).isFalse();
    assertThat(released).containsExactly(42L);
    assertThat(h.isClosed()).isTrue();
    assertThatThrownBy(h::get)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Thing is closed")
        .hasNoCause();
  }

  @Test
  void concurrentClosesReleaseOnce() throws InterruptedException {
    for (int round = 0; round < 200; round++) {
      NativeHandle h = NativeHandle.owned("Thing", round + 1, released::add);
      CountDownLatch go = new CountDownLatch(1);
      Thread[] ts = new Thread[4];
      for (int i = 0; i < ts.length; i++) {
        ts[i] =
            new Thread(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  h.close();
                });
        ts[i].start();
      }
      go.countDown();
      for (Thread t : ts) {
        t.join();
      }
    }
    assertThat(released).hasSize(200).doesNotHaveDuplicates();
  }

  @Test
  void closeSiteIsTheCauseWhenTracked() {
    System.setProperty("lancetorch.trackCloses", "true");
    NativeHandle h;
    try {
      h = NativeHandle.owned("Thing", 7, released::add);
      h.close();
    } finally {
      System.clearProperty("lancetorch.trackCloses");
    }
    assertThatThrownBy(h::get)
        .isInstanceOf(IllegalStateException.class)
        .cause()
        .hasMessage("closed here")
        .satisfies(
            c ->
                assertThat(c.getStackTrace())
                    .anyMatch(f -> f.getMethodName().equals("closeSiteIsTheCauseWhenTracked")));
  }

  @Test
  void aCleanedHandleIsReleasedOnceItsOwnerIsUnreachable() throws InterruptedException {
    cleanedAndDropped(5);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (released.isEmpty() && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(released).containsExactly(5L);
  }

  private void cleanedAndDropped(long handle) {
    Object owner = new Object();
    NativeHandle h = NativeHandle.cleaned(owner, "Owner", handle, released::add);
    assertThat(h.get()).isEqualTo(handle);
  }

  @Test
  void aCleanedHandleClosedEarlyIsNotReleasedAgain() throws InterruptedException {
    Object owner = new Object();
    NativeHandle h = NativeHandle.cleaned(owner, "Owner", 9, released::add);
    h.close();
    owner = null;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(released).containsExactly(9L);
    assertThat(owner).isNull();
  }
}
