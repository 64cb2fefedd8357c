package dev.lancetorch.internal.jni;

import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * glibc malloc's mmap and trim thresholds for the process, set once when the native library loads
 * ({@link NativeLoader#load()}), before the read path allocates. With glibc's defaults, the buffers
 * a scan decodes and a gather writes (hundreds of KiB to MiB each, allocated and freed per batch)
 * come from fresh {@code mmap}s, or from heap tops trimmed back to the system after each burst:
 * every page is then faulted in again, and a page fault is expensive (6–7 µs a page measured in a
 * virtual machine). Keeping allocations below {@value #DEFAULT_MMAP_MIB} MiB on the heap and up to
 * {@value #DEFAULT_TRIM_MIB} MiB of free heap top lets freed pages be reused instead: on the
 * 16M-row table, a warm JVM's cache fill of 4 columns took 0.34–0.47 s instead of 0.46–0.63 s, with
 * about half the page faults (2026-12-07; a trim threshold of 128 MiB was no faster and kept more
 * memory, 8 MiB was as slow as glibc's default). The price: up to {@value #DEFAULT_TRIM_MIB} MiB of
 * freed memory an arena may keep.
 *
 * <p>Settings (system properties): {@code lancetorch.malloc=off} leaves glibc's defaults; {@code
 * lancetorch.malloc.mmapThreshold} and {@code lancetorch.malloc.trimThreshold} (bytes) replace the
 * values. The environment wins: when {@code MALLOC_MMAP_THRESHOLD_}, {@code MALLOC_TRIM_THRESHOLD_}
 * or a {@code glibc.malloc} tunable in {@code GLIBC_TUNABLES} is set, nothing is changed. On a C
 * library other than glibc nothing is changed either.
 */
public final class MallocTuning {
  /** Prefix of the system properties. */
  public static final String PROPERTY = "lancetorch.malloc";

  static final long DEFAULT_MMAP_MIB = 32;
  static final long DEFAULT_TRIM_MIB = 32;

  /** glibc refuses an mmap threshold above half its largest heap (32 MiB on 64-bit systems). */
  static final long MAX_MMAP = 32L << 20;

  private static final Logger LOG = LoggerFactory.getLogger("dev.lancetorch.threads");
  private static String state = "not applied (the native library is not loaded)";

  /** The thresholds to set, or the reason none are (then the fields are -1). */
  record Settings(long mmapThreshold, long trimThreshold, String why) {
    boolean changesGlibc() {
      return mmapThreshold >= 0;
    }
  }

  private MallocTuning() {}

  /**
   * The settings {@code property} (system properties) and {@code env} (environment) ask for.
   *
   * @throws IllegalArgumentException for a value that is not a byte count in range
   */
  static Settings resolve(UnaryOperator<String> property, UnaryOperator<String> env) {
    String mode = property.apply(PROPERTY);
    if (mode != null && mode.trim().equalsIgnoreCase("off")) {
      return new Settings(-1, -1, "glibc's defaults (" + PROPERTY + "=off)");
    }
    if (mode != null && !mode.isBlank() && !mode.trim().equalsIgnoreCase("on")) {
      throw new IllegalArgumentException(PROPERTY + " must be on or off, got '" + mode + "'");
    }
    String tunables = env.apply("GLIBC_TUNABLES");
    if (env.apply("MALLOC_MMAP_THRESHOLD_") != null
        || env.apply("MALLOC_TRIM_THRESHOLD_") != null
        || (tunables != null && tunables.contains("glibc.malloc."))) {
      return new Settings(-1, -1, "the environment's (MALLOC_*_ or GLIBC_TUNABLES)");
    }
    long mmap = bytes(property, PROPERTY + ".mmapThreshold", DEFAULT_MMAP_MIB << 20, MAX_MMAP);
    long trim =
        bytes(property, PROPERTY + ".trimThreshold", DEFAULT_TRIM_MIB << 20, Integer.MAX_VALUE);
    String from =
        property.apply(PROPERTY + ".mmapThreshold") == null
                && property.apply(PROPERTY + ".trimThreshold") == null
            ? "lance-torch's default"
            : "set by " + PROPERTY + ".*";
    return new Settings(mmap, trim, from);
  }

  private static long bytes(UnaryOperator<String> property, String key, long dflt, long max) {
    String v = property.apply(key);
    if (v == null) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number of bytes, got '" + v + "'");
    }
    if (n < 0 || n > max) {
      throw new IllegalArgumentException(key + " must be in [0, " + max + "], got " + n);
    }
    return n;
  }

  /**
   * Applies the settings of the system properties and the environment (after the JNI library
   * loads).
   */
  static synchronized void apply() {
    Settings s = resolve(System::getProperty, System::getenv);
    if (!s.changesGlibc()) {
      state = s.why();
    } else if (NativeBridge.mallocTune(s.mmapThreshold(), s.trimThreshold())) {
      state =
          String.format(
              "mmap threshold %d MiB, trim threshold %d MiB (%s)",
              s.mmapThreshold() >> 20, s.trimThreshold() >> 20, s.why());
    } else {
      state = "the C library's defaults (not glibc, or it refused the values)";
    }
    LOG.debug("malloc: {}", state);
  }

  /** What was applied, in words (for logs and benchmark reports). */
  public static synchronized String describe() {
    return state;
  }
}
