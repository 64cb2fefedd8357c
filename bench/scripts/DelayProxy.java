import java.io.*;
import java.net.*;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy that makes a local server behave like a remote one: the first bytes a client
 * sends after the server answered (a new request, also on a kept-alive connection) wait DELAY ms.
 * Run as a single-file program: java DelayProxy.java LISTEN_PORT TARGET_PORT DELAY_MS
 */
public class DelayProxy {
  public static void main(String[] a) throws Exception {
    int listen = Integer.parseInt(a[0]), target = Integer.parseInt(a[1]);
    long delay = Long.parseLong(a[2]);
    try (ServerSocket ss = new ServerSocket(listen, 512, InetAddress.getLoopbackAddress())) {
      while (true) {
        Socket c = ss.accept();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), target);
        c.setTcpNoDelay(true); s.setTcpNoDelay(true);
        AtomicBoolean answered = new AtomicBoolean(true);
        Thread up = new Thread(() -> pump(c, s, answered, delay, true));
        Thread down = new Thread(() -> pump(s, c, answered, 0, false));
        up.setDaemon(true); down.setDaemon(true); up.start(); down.start();
      }
    }
  }

  static void pump(Socket from, Socket to, AtomicBoolean answered, long delay, boolean request) {
    byte[] buf = new byte[1 << 16];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (request) {
          if (answered.getAndSet(false)) Thread.sleep(delay);
        } else {
          answered.set(true);
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (Exception ignored) {
    } finally {
      try { from.close(); } catch (IOException e) {}
      try { to.close(); } catch (IOException e) {}
    }
  }
}
