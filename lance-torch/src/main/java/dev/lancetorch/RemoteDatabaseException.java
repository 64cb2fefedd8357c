package dev.lancetorch;

/**
 * A {@code db://} or {@code s3://} database could not be used: the server is unreachable, refused
 * the credentials, answered with an error, or did not answer within {@link
 * ConnectOptions#requestTimeout()}. The message names the endpoint (URL) and the error reported.
 */
public class RemoteDatabaseException extends LanceTorchException {
  private static final long serialVersionUID = 1L;
  private final String endpoint;
  private final String status;

  /**
   * @param message what failed, with the endpoint
   * @param endpoint the URL or object-store root
   * @param status the server's status / error code as reported, or null
   * @param cause the underlying error
   */
  public RemoteDatabaseException(String message, String endpoint, String status, Throwable cause) {
    super(message, cause);
    this.endpoint = endpoint;
    this.status = status;
  }

  /**
   * @return the URL (db://) or object-store root (s3://) that failed
   */
  public String endpoint() {
    return endpoint;
  }

  /**
   * @return the status or error code the server reported (e.g. {@code UNAUTHENTICATED}), or null
   */
  public String status() {
    return status;
  }
}
