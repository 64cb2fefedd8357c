package dev.lancetorch.internal.arrow;

import java.io.FilterInputStream;
import java.io.InputStream;

/** Keeps a borrowed stream open when the Arrow reader wrapping it is closed. */
public final class NonClosingInputStream extends FilterInputStream {
  public NonClosingInputStream(InputStream in) {
    super(in);
  }

  @Override
  public void close() {}
}
