package dev.lancetorch;

import java.io.FilterInputStream;
import java.io.InputStream;

/** Keeps a borrowed stream open when the Arrow reader wrapping it is closed. */
final class NonClosingInputStream extends FilterInputStream {
  NonClosingInputStream(InputStream in) {
    super(in);
  }

  @Override
  public void close() {}
}
