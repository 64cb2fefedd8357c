package dev.lancetorch.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.ChildJvm;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fill locks across processes: POSIX record locks belong to the process, so a JVM holding one
 * fragment's lock while another thread of it waits for a second, against another JVM doing the
 * opposite, is refused by the kernel as a deadlock ({@code EDEADLK}) though no thread waits while
 * holding a lock. {@link DiskColumnCache#lockFill} waits it out (before, the cache was switched off
 * with "Resource deadlock avoided": a flaky failure of two JVMs filling one directory).
 */
class FillLockTest {
  @TempDir Path dir;

  static FileChannel open(Path p) throws IOException {
    return FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  /** Child: locks {@code x}, says so, then locks {@code y} (blocking), releases both, exits. */
  public static void main(String[] args) throws Exception {
    try (FileChannel x = open(Path.of(args[0]));
        FileLock lx = x.lock()) {
      System.out.println("HOLDS X");
      System.out.flush();
      try (FileChannel y = open(Path.of(args[1]));
          FileLock ly = y.lock()) {
        System.out.println("GOT Y");
      }
    }
  }

  /**
   * Starts the child ({@link #main}) on x then y, and returns once it holds x and (300 ms later)
   * waits for y, which the caller holds.
   */
  Process childWaitingFor(Path x, Path y, Path log) throws Exception {
    Process child =
        new ProcessBuilder(
                ChildJvm.command(List.of(), FillLockTest.class, x.toString(), y.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    for (int i = 0; i < 600 && !Files.readString(log).contains("HOLDS X"); i++) {
      Thread.sleep(50);
    }
    assertThat(Files.readString(log)).contains("HOLDS X");
    Thread.sleep(300);
    return child;
  }

  @Test
  void aCrossProcessWaitTheKernelCallsADeadlockIsWaitedOut() throws Exception {
    Path x = dir.resolve("x.lock");
    Path y = dir.resolve("y.lock");
    Path log = dir.resolve("child.log");
    try (FileChannel ych = open(y)) {
      FileLock ly = ych.lock(); // this JVM holds y
      Process child = childWaitingFor(x, y, log);
      try {
        try (FileChannel xch = open(x)) {
          // this process holds y and waits for x, which the child holds while it waits for y
          assertThatThrownBy(xch::lock)
              .as("the kernel's view of it")
              .isInstanceOf(IOException.class)
              .hasMessageContaining("deadlock");
          Thread t =
              new Thread(
                  () -> {
                    try {
                      Thread.sleep(300);
                      ly.release(); // the child gets y, finishes, releases x
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                  });
          t.start();
          long t0 = System.nanoTime();
          try (FileLock lx = DiskColumnCache.lockFill(xch, () -> false)) {
            assertThat(lx.isValid()).isTrue();
          }
          t.join();
          assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(250));
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("GOT Y");
      } finally {
        child.destroyForcibly();
      }
    }
  }

  @Test
  void aReleasedCacheStopsWaiting() throws Exception {
    Path x = dir.resolve("x.lock");
    Path y = dir.resolve("y.lock");
    Path log = dir.resolve("child.log");
    try (FileChannel ych = open(y);
        FileLock ly = ych.lock()) {
      Process child = childWaitingFor(x, y, log);
      try {
        try (FileChannel xch = open(x)) {
          long t0 = System.nanoTime();
          boolean[] released = {false};
          Thread t =
              new Thread(
                  () -> {
                    try {
                      Thread.sleep(200);
                    } catch (InterruptedException e) {
                      return;
                    }
                    released[0] = true;
                  });
          t.start();
          assertThatThrownBy(() -> DiskColumnCache.lockFill(xch, () -> released[0]))
              .isInstanceOf(java.nio.channels.ClosedByInterruptException.class);
          t.join();
          assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(150));
        }
      } finally {
        child.destroyForcibly();
        child.waitFor(60, TimeUnit.SECONDS);
      }
    }
  }
}
