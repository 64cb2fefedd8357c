package dev.lancetorch.torch;

import dev.lancetorch.internal.jni.MallocTuning;
import dev.lancetorch.internal.jni.NativeLoader;

/**
 * Loads lance-torch's JNI library, applies the {@link dev.lancetorch.threads.ThreadBudget}'s
 * environment, then loads libtorch (through JavaCPP) and applies the budget to torch and OpenBLAS,
 * once per process. Lookup order for the JNI library: the system property {@value #PATH_PROPERTY}
 * (a file path), then the jar resource {@code
 * /dev/lancetorch/native/<platform>/liblancetorch_jni.so} (platform computed at run time) extracted
 * to {@code ~/.cache/lance-torch/<sha256>/} (or {@code java.io.tmpdir/lance-torch-<user>/<sha256>/}
 * when the home cache is not writable). A failure lists every path tried and is remembered.
 */
public final class NativeLibrary {
  /** System property naming the JNI library file to load instead of the bundled one. */
  public static final String PATH_PROPERTY = NativeLoader.PATH_PROPERTY;

  /**
   * The jar folder of this platform's JNI library: {@code /dev/lancetorch/native/<platform>/}, with
   * JavaCPP's platform name ({@code linux-x86_64}, {@code linux-arm64}, {@code macosx-arm64}...),
   * as packaged in {@code dev.lancetorch:lance-torch-native:<platform>}.
   */
  static final String RESOURCE = NativeLoader.RESOURCE;

  private NativeLibrary() {}

  /**
   * Loads everything (idempotent, thread-safe).
   *
   * @throws UnsatisfiedLinkError listing every path tried, if the library cannot be loaded
   */
  public static void load() {
    NativeLoader.load();
  }

  /**
   * Escape hatch for applications that load {@code liblancetorch_jni.so} themselves (with {@link
   * System#load} from a location of their own, before the first use of lance-torch): {@link
   * #load()} then skips its lookup of the JNI library but still loads libtorch and initializes the
   * bridge. Must be called before the first {@link #load()}.
   *
   * @throws IllegalStateException if the library was already loaded by {@link #load()}
   */
  public static void assumeLoaded() {
    NativeLoader.assumeLoaded();
  }

  /**
   * The malloc thresholds lance-torch set for the process when it loaded, in words (for logs and
   * benchmark reports): by default glibc's mmap threshold 32 MiB and trim threshold 32 MiB, so that
   * the buffers scans and gathers allocate per batch reuse freed pages instead of faulting fresh
   * ones in; {@code -Dlancetorch.malloc=off} keeps glibc's defaults, and {@code MALLOC_*_} or
   * {@code GLIBC_TUNABLES} in the environment take precedence.
   */
  public static String mallocSettings() {
    return MallocTuning.describe();
  }

  /** The libtorch_cpu.so file JavaCPP loaded, or null if it could not be identified. */
  public static String libtorchPath() {
    return NativeLoader.libtorchPath();
  }
}
