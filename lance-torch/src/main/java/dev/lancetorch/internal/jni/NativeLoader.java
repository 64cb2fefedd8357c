package dev.lancetorch.internal.jni;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Loader;

/**
 * The loading sequence behind {@code dev.lancetorch.torch.NativeLibrary} (its public facade):
 * lance-torch's JNI library, then the thread budget's environment ({@link ThreadCounts}), then
 * libtorch (through JavaCPP), then the budget's torch and OpenBLAS settings, once per process.
 * Lookup order for the JNI library: the system property {@value #PATH_PROPERTY} (a file path), then
 * the jar resource {@code /dev/lancetorch/native/<platform>/liblancetorch_jni.so} (platform
 * computed at run time) extracted to {@code ~/.cache/lance-torch/<sha256>/} (or {@code
 * java.io.tmpdir/lance-torch-<user>/<sha256>/} when the home cache is not writable). A failure
 * lists every path tried and is remembered.
 */
public final class NativeLoader {
  /** System property naming the JNI library file to load instead of the bundled one. */
  public static final String PATH_PROPERTY = "lancetorch.native.path";

  /**
   * The jar folder of this platform's JNI library: {@code /dev/lancetorch/native/<platform>/}, with
   * JavaCPP's platform name ({@code linux-x86_64}, {@code linux-arm64}, {@code macosx-arm64}...),
   * as packaged in {@code dev.lancetorch:lance-torch-native:<platform>}.
   */
  public static final String RESOURCE =
      "/dev/lancetorch/native/" + Loader.getPlatform() + "/liblancetorch_jni.so";

  private static final String FILE_NAME = "liblancetorch_jni.so";

  private static boolean loaded;
  private static boolean assumeLoaded;
  private static Throwable failure;
  private static String libtorchPath;

  private NativeLoader() {}

  /**
   * Loads everything (idempotent, thread-safe).
   *
   * @throws UnsatisfiedLinkError listing every path tried, if the library cannot be loaded
   */
  public static synchronized void load() {
    if (loaded) {
      return;
    }
    if (failure != null) {
      UnsatisfiedLinkError e = new UnsatisfiedLinkError(failure.getMessage());
      e.initCause(failure);
      throw e;
    }
    try {
      // The JNI library needs nothing from libtorch to load; loading it first lets the thread
      // budget set the
      // environment variables libgomp, OpenBLAS and Lance read when they start.
      if (!assumeLoaded) {
        loadJni();
      }
      MallocTuning.apply();
      ThreadCounts.applyEnvironment();
      Loader.load(org.bytedeco.pytorch.global.torch.class);
      libtorchPath = findLoadedLibtorch();
      NativeBridge.init(libtorchPath);
      loaded = true;
      ThreadCounts.applyToTorch();
    } catch (RuntimeException | Error e) {
      failure = e;
      throw e;
    }
  }

  /**
   * Escape hatch for applications that load {@code liblancetorch_jni.so} themselves (with {@link
   * System#load} from a location of their own, before the first use of lance-torch): {@link
   * #load()} then skips its lookup of the JNI library but still loads libtorch and initializes the
   * bridge. Must be called before the first {@link #load()}.
   *
   * @throws IllegalStateException if the library was already loaded by {@link #load()}
   */
  public static synchronized void assumeLoaded() {
    if (loaded && !assumeLoaded) {
      throw new IllegalStateException("lance-torch: the JNI library is already loaded");
    }
    assumeLoaded = true;
  }

  /** The libtorch_cpu.so file JavaCPP loaded, or null if it could not be identified. */
  public static synchronized String libtorchPath() {
    load();
    return libtorchPath;
  }

  private static String findLoadedLibtorch() {
    Map<String, String> libs = Loader.getLoadedLibraries();
    for (String path : libs.values()) {
      if (path != null && Paths.get(path).getFileName().toString().startsWith("libtorch_cpu.so")) {
        return path;
      }
    }
    return null;
  }

  private static void loadJni() {
    List<String> tried = new ArrayList<>();
    String override = System.getProperty(PATH_PROPERTY);
    if (override != null && !override.isBlank()) {
      try {
        System.load(Paths.get(override).toAbsolutePath().toString());
        return;
      } catch (UnsatisfiedLinkError e) {
        throw new UnsatisfiedLinkError(
            "lance-torch: cannot load "
                + override
                + " (from -D"
                + PATH_PROPERTY
                + "): "
                + e.getMessage());
      }
    }
    byte[] bytes;
    try (InputStream in = NativeLoader.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new UnsatisfiedLinkError(
            "lance-torch: JNI library not found: -D"
                + PATH_PROPERTY
                + " is unset and the classpath resource "
                + RESOURCE
                + " is missing (run `make native`)");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UnsatisfiedLinkError("lance-torch: cannot read resource " + RESOURCE + ": " + e);
    }
    String hash = sha256(bytes).substring(0, 16);
    List<Path> dirs = new ArrayList<>();
    dirs.add(Paths.get(System.getProperty("user.home"), ".cache", "lance-torch", hash));
    dirs.add(
        Paths.get(
            System.getProperty("java.io.tmpdir"),
            "lance-torch-" + System.getProperty("user.name"),
            hash));
    for (Path dir : dirs) {
      Path file = dir.resolve(FILE_NAME);
      try {
        extract(bytes, dir, file);
        System.load(file.toAbsolutePath().toString());
        return;
      } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
        tried.add(file + " (" + e.getMessage() + ")");
      }
    }
    throw new UnsatisfiedLinkError(
        "lance-torch: cannot load the JNI library; tried " + String.join("; ", tried));
  }

  private static void extract(byte[] bytes, Path dir, Path file) throws IOException {
    if (Files.isRegularFile(file) && Files.size(file) == bytes.length) {
      return; // same content hash in the directory name: already extracted
    }
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, FILE_NAME, ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
