package dev.lancetorch;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server on 127.0.0.1 for tests: S3Proxy over a jclouds transient (in-memory)
 * blobstore, SigV4 authentication. {@link #stop()} / {@link #restart()} keep the stored objects and
 * the port, to test outages.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "test-access";
  public static final String SECRET_KEY = "test-secret";

  private final BlobStoreContext context;
  private final int port;
  private S3Proxy proxy;

  public S3Server(String... buckets) {
    context =
        ContextBuilder.newBuilder("transient")
            .credentials("ignored", "ignored")
            .build(BlobStoreContext.class);
    for (String b : buckets) {
      context.getBlobStore().createContainerInLocation(null, b);
    }
    port = RemoteFixtures.freePort();
    restart();
  }

  /**
   * @return the endpoint URL
   */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Storage options for Lance: credentials, endpoint, plain http, bounded timeouts and retries. */
  public Map<String, String> storageOptions() {
    Map<String, String> m = new TreeMap<>();
    m.put("aws_access_key_id", ACCESS_KEY);
    m.put("aws_secret_access_key", SECRET_KEY);
    m.put("aws_region", "us-east-1");
    m.put("aws_endpoint", endpoint());
    m.put("allow_http", "true");
    m.put("aws_virtual_hosted_style_request", "false");
    m.put("connect_timeout", "2s");
    m.put("timeout", "5s");
    m.put("client_max_retries", "2");
    m.put("client_retry_timeout", "5");
    return m;
  }

  /** Starts (again) on the same port. */
  public synchronized void restart() {
    if (proxy != null) {
      return;
    }
    S3Proxy p =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create(endpoint()))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            // Lance's object_store sends x-amz-checksum-sha256 on multi-object deletes; S3Proxy 2.6
            // rejects it unless told
            .ignoreUnknownHeaders(true)
            .build();
    try {
      p.start();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!AbstractLifeCycle.STARTED.equals(p.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "S3Proxy did not start on " + endpoint() + ": " + p.getState());
        }
        Thread.sleep(10);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot start S3Proxy on " + endpoint(), e);
    }
    proxy = p;
  }

  /** Stops serving (objects kept). */
  public synchronized void stop() {
    if (proxy == null) {
      return;
    }
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop S3Proxy on " + endpoint(), e);
    }
    proxy = null;
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      context.close();
    }
  }
}
