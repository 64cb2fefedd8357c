package dev.lancetorch.internal.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.torch.NativeLibrary;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class MallocTuningTest {
  private static UnaryOperator<String> of(Map<String, String> m) {
    return m::get;
  }

  private static final UnaryOperator<String> NONE = k -> null;

  @Test
  void defaultsAreLanceTorchsThresholds() {
    MallocTuning.Settings s = MallocTuning.resolve(NONE, NONE);
    assertThat(s.changesGlibc()).isTrue();
    assertThat(s.mmapThreshold()).isEqualTo(32L << 20);
    assertThat(s.trimThreshold()).isEqualTo(32L << 20);
    assertThat(s.why()).contains("default");
    assertThat(MallocTuning.resolve(of(Map.of("lancetorch.malloc", "on")), NONE).changesGlibc())
        .isTrue();
  }

  @Test
  void offKeepsGlibcDefaults() {
    MallocTuning.Settings s = MallocTuning.resolve(of(Map.of("lancetorch.malloc", " OFF ")), NONE);
    assertThat(s.changesGlibc()).isFalse();
    assertThat(s.why()).contains("lancetorch.malloc=off");
  }

  @Test
  void theEnvironmentWins() {
    for (Map<String, String> env :
        java.util.List.of(
            Map.of("MALLOC_MMAP_THRESHOLD_", "131072"),
            Map.of("MALLOC_TRIM_THRESHOLD_", "0"),
            Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2"))) {
      MallocTuning.Settings s =
          MallocTuning.resolve(of(Map.of("lancetorch.malloc.mmapThreshold", "1024")), of(env));
      assertThat(s.changesGlibc()).as(env.toString()).isFalse();
      assertThat(s.why()).contains("environment");
    }
    // a tunable of another subsystem does not count
    assertThat(
            MallocTuning.resolve(NONE, of(Map.of("GLIBC_TUNABLES", "glibc.pthread.rseq=0")))
                .changesGlibc())
        .isTrue();
  }

  @Test
  void propertiesReplaceTheValues() {
    MallocTuning.Settings s =
        MallocTuning.resolve(
            of(
                Map.of(
                    "lancetorch.malloc.mmapThreshold", "1048576",
                    "lancetorch.malloc.trimThreshold", " 0 ")),
            NONE);
    assertThat(s.mmapThreshold()).isEqualTo(1 << 20);
    assertThat(s.trimThreshold()).isZero();
    assertThat(s.why()).contains("lancetorch.malloc.*");
  }

  @Test
  void badValuesAreClearErrors() {
    assertThatThrownBy(
            () -> MallocTuning.resolve(of(Map.of("lancetorch.malloc.mmapThreshold", "lots")), NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lancetorch.malloc.mmapThreshold must be a number of bytes");
    assertThatThrownBy(
            () ->
                MallocTuning.resolve(
                    of(Map.of("lancetorch.malloc.mmapThreshold", String.valueOf(64L << 20))), NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[0, 33554432]");
    assertThatThrownBy(
            () -> MallocTuning.resolve(of(Map.of("lancetorch.malloc.trimThreshold", "-1")), NONE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MallocTuning.resolve(of(Map.of("lancetorch.malloc", "maybe")), NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("on or off");
  }

  @Test
  void loadingAppliesAndReportsThem() {
    NativeLibrary.load();
    String s = NativeLibrary.mallocSettings();
    MallocTuning.Settings want = MallocTuning.resolve(System::getProperty, System::getenv);
    if (!want.changesGlibc()) {
      assertThat(s).isEqualTo(want.why());
    } else if (isGlibc()) {
      assertThat(s)
          .isEqualTo(
              String.format(
                  "mmap threshold %d MiB, trim threshold %d MiB (%s)",
                  want.mmapThreshold() >> 20, want.trimThreshold() >> 20, want.why()));
    } else {
      assertThat(s).contains("not glibc");
    }
  }

  private static boolean isGlibc() {
    return System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")
        && !java.nio.file.Files.exists(java.nio.file.Path.of("/lib/ld-musl-x86_64.so.1"));
  }
}
