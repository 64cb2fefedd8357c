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
 * RootAllocator}; without a session it owns a fresh {@link Session} (shared by all tables it
 * opens).
 *
 * <p>{@link #storageOptions()} are passed to Lance for every open, read, write, drop and listing;
 * they carry object-store settings for {@code s3://} ({@code aws_access_key_id}, {@code
 * aws_secret_access_key}, {@code aws_region}, {@code aws_endpoint}, {@code allow_http}, {@code
 * timeout}, {@code connect_timeout}, ...; see Lance's object-store documentation).
 *
 * <p>{@link #apiKey()}, {@link #region()}, {@link #hostOverride()}, {@link #headers()} and {@link
 * #requestTimeout()} apply to {@code db://} (Lance namespace REST protocol) connections only.
 */
public final class ConnectOptions {
  private final Map<String, String> storageOptions;
  private final Duration readConsistencyInterval;
  private final Session session;
  private final BufferAllocator allocator;
  private final String apiKey;
  private final String region;
  private final String hostOverride;
  private final Map<String, String> headers;
  private final Duration requestTimeout;

  /** Default region of {@code db://} databases. */
  public static final String DEFAULT_REGION = "us-east-1";

  /** Default bound on one namespace request of a {@code db://} connection. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private ConnectOptions(Builder b) {
    this.apiKey = b.apiKey;
    this.region = b.region;
    this.hostOverride = b.hostOverride;
    this.headers = Map.copyOf(b.headers);
    this.requestTimeout = b.requestTimeout;
    this.storageOptions = Map.copyOf(b.storageOptions);
    this.readConsistencyInterval = b.readConsistencyInterval;
    this.session = b.session;
    this.allocator = b.allocator;
  }

  /**
   * @return defaults: no storage options, no consistency checks, owned allocator and session
   */
  public static ConnectOptions defaults() {
    return builder().build();
  }

  /**
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @return immutable storage options handed to Lance (possibly empty)
   */
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

  /**
   * @return the borrowed Lance session, or null to let the connection own one
   */
  public Session session() {
    return session;
  }

  /**
   * @return the borrowed parent allocator, or null to let the connection own a root allocator
   */
  public BufferAllocator allocator() {
    return allocator;
  }

  /**
   * @return the API key sent as {@code x-api-key} to a {@code db://} server, or null
   */
  public String apiKey() {
    return apiKey;
  }

  /**
   * @return the region of a {@code db://} database ({@value #DEFAULT_REGION} by default)
   */
  public String region() {
    return region;
  }

  /**
   * The base URL of the {@code db://} server. Any Lance namespace REST server works, e.g.
   * lance-core's {@code org.lance.namespace.RestAdapter} (used by the tests). Unlike LanceDB Cloud,
   * that server does not check the API key, and it answers with table locations on its own
   * filesystem which the client then reads directly (client and server must share storage); see
   * {@code docs/remote.md}.
   *
   * @return the URL (e.g. {@code http://127.0.0.1:2333}), or null for {@code
   *     https://{db}.{region}.api.lancedb.com}
   */
  public String hostOverride() {
    return hostOverride;
  }

  /**
   * @return extra HTTP headers sent with every {@code db://} request (immutable)
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * @return the bound on one {@code db://} namespace request (metadata calls and table opens)
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * The {@code db://} settings as a flat serializable map (what {@link TableRef} carries; it
   * includes the API key).
   */
  Map<String, String> remoteProperties() {
    Map<String, String> m = new TreeMap<>();
    if (apiKey != null) {
      m.put("api_key", apiKey);
    }
    m.put("region", region);
    if (hostOverride != null) {
      m.put("host_override", hostOverride);
    }
    m.put("request_timeout_ms", Long.toString(requestTimeout.toMillis()));
    headers.forEach((k, v) -> m.put("header." + k, v));
    return m;
  }

  /** Builder of {@link ConnectOptions}. */
  public static final class Builder {
    private final Map<String, String> storageOptions = new TreeMap<>();
    private Duration readConsistencyInterval;
    private Session session;
    private BufferAllocator allocator;
    private String apiKey;
    private String region = DEFAULT_REGION;
    private String hostOverride;
    private final Map<String, String> headers = new TreeMap<>();
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

    private Builder() {}

    /**
     * @param apiKey API key of a {@code db://} database (sent as {@code x-api-key}); null for none
     * @return this
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /**
     * @param region region of a {@code db://} database
     * @return this
     */
    public Builder region(String region) {
      if (region == null || region.isBlank()) {
        throw new IllegalArgumentException("region must not be empty");
      }
      this.region = region;
      return this;
    }

    /**
     * @param url base URL of the {@code db://} server, e.g. {@code http://127.0.0.1:2333}; null for
     *     LanceDB Cloud's {@code https://{db}.{region}.api.lancedb.com}
     * @return this
     */
    public Builder hostOverride(String url) {
      if (url != null && !url.matches("(?i)https?://.+")) {
        throw new IllegalArgumentException("hostOverride must be an http(s) URL: " + url);
      }
      this.hostOverride = url == null ? null : url.replaceAll("/+$", "");
      return this;
    }

    /**
     * @param headers extra HTTP headers for every {@code db://} request (copied)
     * @return this
     */
    public Builder headers(Map<String, String> headers) {
      this.headers.clear();
      this.headers.putAll(Objects.requireNonNull(headers, "headers"));
      return this;
    }

    /**
     * @param timeout bound on one {@code db://} namespace request; positive
     * @return this
     */
    public Builder requestTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive: " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /** Sets the {@code db://} settings from {@link ConnectOptions#remoteProperties()}. */
    Builder remoteProperties(Map<String, String> m) {
      apiKey(m.get("api_key"));
      if (m.containsKey("region")) {
        region(m.get("region"));
      }
      hostOverride(m.get("host_override"));
      if (m.containsKey("request_timeout_ms")) {
        requestTimeout(Duration.ofMillis(Long.parseLong(m.get("request_timeout_ms"))));
      }
      headers.clear();
      m.forEach(
          (k, v) -> {
            if (k.startsWith("header.")) {
              headers.put(k.substring("header.".length()), v);
            }
          });
      return this;
    }

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
        throw new IllegalArgumentException(
            "readConsistencyInterval must not be negative: " + interval);
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

    /**
     * @return the options
     */
    public ConnectOptions build() {
      return new ConnectOptions(this);
    }
  }
}
