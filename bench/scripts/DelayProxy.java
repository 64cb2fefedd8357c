import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy that makes a local server behave like a remote one: the first bytes a client
 * sends after the server answered (a new request, also on a kept-alive connection) wait DELAY ms.
 * It counts those requests by the HTTP method of the request line they start with (GET, HEAD, PUT,
 * other), GETs of a path under a /data/ directory (Lance data files) apart, and the bytes the
 * server sends back (headers included). With CONTROL_PORT, a connection there gets one line
 * "requests=.. get=.. head=.. put=.. other=.. data_gets=.. bytes_down=.." and is closed.
 * Run as a single-file program: java DelayProxy.java LISTEN_PORT TARGET_PORT DELAY_MS [CONTROL_PORT]
 */
public class DelayProxy {
  static final AtomicLong requests = new AtomicLong(), get = new AtomicLong(),
      head = new AtomicLong(), put = new AtomicLong(), other = new AtomicLong(),
      dataGets = new AtomicLong(), bytesDown = new AtomicLong();

  public static void main(String[] a) throws Exception {
    int listen = Integer.parseInt(a[0]), target = Integer.parseInt(a[1]);
    long delay = Long.parseLong(a[2]);
    if (a.length > 3) {
      ServerSocket control = new ServerSocket(Integer.parseInt(a[3]), 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(() -> serveCounters(control));
      t.setDaemon(true); t.start();
    }
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
          if (answered.getAndSet(false)) {
            count(buf, n);
            Thread.sleep(delay);
          }
        } else {
          answered.set(true);
          bytesDown.addAndGet(n);
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

  /** Counts one request from the start of its first chunk: "METHOD PATH HTTP/1.1". */
  static void count(byte[] buf, int n) {
    String[] line = new String(buf, 0, Math.min(n, 2048), StandardCharsets.ISO_8859_1).split("[ \r\n]", 3);
    String method = line[0], path = line.length > 1 ? line[1].split("\\?", 2)[0] : "";
    requests.incrementAndGet();
    switch (method) {
      case "GET" -> {
        get.incrementAndGet();
        if (path.contains("/data/")) dataGets.incrementAndGet();
      }
      case "HEAD" -> head.incrementAndGet();
      case "PUT" -> put.incrementAndGet();
      default -> other.incrementAndGet();
    }
  }

  static void serveCounters(ServerSocket control) {
    while (true) {
      try (Socket c = control.accept(); OutputStream out = c.getOutputStream()) {
        String line = "requests=" + requests + " get=" + get + " head=" + head + " put=" + put
            + " other=" + other + " data_gets=" + dataGets + " bytes_down=" + bytesDown + "\n";
        out.write(line.getBytes(StandardCharsets.US_ASCII));
      } catch (IOException ignored) {
      }
    }
  }
}
