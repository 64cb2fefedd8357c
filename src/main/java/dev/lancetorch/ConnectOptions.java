package dev.lancetorch;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.lance.Session;

/**
 * Options for {@link LanceDb#connect(String, ConnectOptions)}. Immutable; build with {@link
 * #builder()}.
 *
 * <p>Native-memory ownership: the {@link #allocator()} and {@link #session()} given here are
 * <b>borrowed</b>. The connection makes a child allocator of the allocator and closes only that
 * child; it never closes the session. Without an allocator the connection owns a fresh {@code
 * RootAllocator}; without a session it owns a fresh {@link Session} (shared by all tables it opens).
 *
 * <p>{@link #storageOptions()} are passed to Lance for every read and write; they are the place
 * where object-store settings (credentials, region, endpoint) go once {@code s3://} is supported.
 */
public final class ConnectOptions {
  private final Map<String, String> storageOptions;
  private final Duration readConsistencyInterval;
  private final Session session;
  private final BufferAllocator allocator;

  private ConnectOptions(Builder b) {
    this.storageOptions = Map.copyOf(b.storageOptions);
    this.readConsistencyInterval = b.readConsistencyInterval;
    this.session = b.session;
    this.allocator = b.allocator;
  }

  /** @return defaults: no storage options, no consistency checks, owned allocator and session */
  public static ConnectOptions defaults() {
    return builder().build();
  }

  /** @return a new builder */
  public static Builder builder() {
    return new Builder();
  }

  /** @return immutable storage options handed to Lance (possibly empty) */
  public Map<String, String> storageOptions() {
    return storageOptions;
  }

  /**
   * How often a (non-pinned) {@link Table} checks storage for versions committed by other handles
   * or processes. {@code null} (the default): never; the table only moves forward through its own
   * writes. {@link Duration#ZERO}: before every read. Otherwise: before a read when at least this
   * long has passed since the last check.
   *
   * @return the interval or null
   */
  public Duration readConsistencyInterval() {
    return readConsistencyInterval;
  }

  /** @return the borrowed Lance session, or null to let the connection own one */
  public Session session() {
    return session;
  }

  /** @return the borrowed parent allocator, or null to let the connection own a root allocator */
  public BufferAllocator allocator() {
    return allocator;
  }

  /** Builder of {@link ConnectOptions}. */
  public static final class Builder {
    private final Map<String, String> storageOptions = new TreeMap<>();
    private Duration readConsistencyInterval;
    private Session session;
    private BufferAllocator allocator;

    private Builder() {}

    /**
     * @param options storage options for Lance (copied)
     * @return this
     */
    public Builder storageOptions(Map<String, String> options) {
      storageOptions.clear();
      storageOptions.putAll(Objects.requireNonNull(options, "options"));
      return this;
    }

    /**
     * @param interval see {@link ConnectOptions#readConsistencyInterval()}; null disables checks
     * @return this
     */
    public Builder readConsistencyInterval(Duration interval) {
      if (interval != null && interval.isNegative()) {
        throw new IllegalArgumentException("readConsistencyInterval must not be negative: " + interval);
      }
      this.readConsistencyInterval = interval;
      return this;
    }

    /**
     * @param session a Lance session (caches) to share; borrowed, never closed by the connection
     * @return this
     */
    public Builder session(Session session) {
      this.session = session;
      return this;
    }

    /**
     * @param allocator parent allocator; borrowed: the connection allocates from a child of it and
     *     closes that child on {@link Connection#close()}
     * @return this
     */
    public Builder allocator(BufferAllocator allocator) {
      this.allocator = allocator;
      return this;
    }

    /** @return the options */
    public ConnectOptions build() {
      return new ConnectOptions(this);
    }
  }
}
