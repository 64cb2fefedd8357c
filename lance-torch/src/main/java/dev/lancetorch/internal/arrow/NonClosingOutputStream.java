package dev.lancetorch.internal.arrow;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Keeps a borrowed stream open when the Arrow writer wrapping it is closed. */
public final class NonClosingOutputStream extends FilterOutputStream {
  public NonClosingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
  }

  @Override
  public void close() throws IOException {
    flush();
  }
}
