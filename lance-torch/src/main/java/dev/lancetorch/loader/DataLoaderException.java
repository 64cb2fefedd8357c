package dev.lancetorch.loader;

import dev.lancetorch.LanceTorchException;

/**
 * A batch could not be produced: a worker's fetch, collate or transform failed (the cause), or the
 * batch took longer than the configured timeout (cause: {@link
 * java.util.concurrent.TimeoutException}). Thrown from the consumer's {@code hasNext()/next()}.
 */
public class DataLoaderException extends LanceTorchException {
  private static final long serialVersionUID = 1L;
  private final transient BatchPosition position;

  public DataLoaderException(String message, BatchPosition position, Throwable cause) {
    super(message + (position == null ? "" : " (" + position + ")"), cause);
    this.position = position;
  }

  /** The failing batch's position, or null when unknown. */
  public BatchPosition position() {
    return position;
  }
}
