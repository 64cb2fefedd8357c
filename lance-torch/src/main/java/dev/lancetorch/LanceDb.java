package dev.lancetorch;

/**
 * Entry point: connects to a LanceDB-layout database (a directory of {@code <table>.lance} Lance
 * datasets).
 *
 * <p>Supported uris: a local path, {@code file://...}, {@code s3://bucket/prefix} (object store;
 * credentials and endpoint in {@link ConnectOptions#storageOptions()}), {@code db://name} (a Lance
 * namespace REST server: LanceDB Cloud, or any server at {@link ConnectOptions#hostOverride()}; see
 * {@code docs/remote.md}), {@code memory://} (a fresh anonymous in-process database) and {@code
 * memory://name} (an in-process database shared by every connection to the same name in this JVM,
 * alive while at least one such connection is open). Any other scheme ({@code gs://}, {@code
 * az://}, ...) is rejected with {@link UnsupportedOperationException} naming the scheme.
 */
public final class LanceDb {
  private LanceDb() {}

  /**
   * Connects with default options (the connection owns its own root allocator and Lance session).
   *
   * @param uri the database uri
   * @return a connection the caller must close
   */
  public static Connection connect(String uri) {
    return connect(uri, ConnectOptions.defaults());
  }

  /**
   * Connects with options. A local directory is created if missing.
   *
   * @param uri the database uri
   * @param options options; the allocator and session in it stay borrowed
   * @return a connection the caller must close
   */
  public static Connection connect(String uri, ConnectOptions options) {
    if (options == null) {
      throw new IllegalArgumentException("options must not be null");
    }
    // before Lance's runtime starts: it reads its thread counts once (see ThreadBudget)
    dev.lancetorch.threads.ThreadBudget.install();
    return new Connection(uri, options);
  }
}
