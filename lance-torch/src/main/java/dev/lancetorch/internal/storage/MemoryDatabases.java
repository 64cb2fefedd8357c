package dev.lancetorch.internal.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * JVM-wide registry of {@code memory://} databases. Each one is a private temporary directory
 * holding real Lance datasets; it lives while at least one connection to it is open and is deleted
 * when the last one closes (or by a shutdown hook if the JVM exits first).
 */
public final class MemoryDatabases {
  private static final Map<String, Entry> DATABASES = new HashMap<>();
  private static boolean hookInstalled;

  private static final class Entry {
    final Path dir;
    int connections;

    Entry(Path dir) {
      this.dir = dir;
    }
  }

  private MemoryDatabases() {}

  /** Normalizes {@code memory://} (anonymous: a fresh, unique key) or {@code memory://name}. */
  static String normalize(String uri) {
    String name = uri.substring("memory://".length());
    while (name.endsWith("/")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.isEmpty()) {
      name = "anonymous-" + UUID.randomUUID();
    }
    return "memory://" + name;
  }

  /** Registers one more connection to {@code key}; returns the directory backing it. */
  static synchronized Path acquire(String key) {
    Entry e = DATABASES.get(key);
    if (e == null) {
      try {
        e = new Entry(Files.createTempDirectory("lancetorch-memory-"));
      } catch (IOException ex) {
        throw new UncheckedIOException("cannot create the directory backing " + key, ex);
      }
      DATABASES.put(key, e);
      if (!hookInstalled) {
        Runtime.getRuntime()
            .addShutdownHook(new Thread(MemoryDatabases::deleteAll, "lancetorch-memory-cleanup"));
        hookInstalled = true;
      }
    }
    e.connections++;
    return e.dir;
  }

  /** Unregisters one connection; deletes the directory when it was the last one. */
  static synchronized void release(String key) {
    Entry e = DATABASES.get(key);
    if (e == null) {
      return;
    }
    if (--e.connections == 0) {
      DATABASES.remove(key);
      deleteRecursively(e.dir);
    }
  }

  /**
   * @return whether a database with this key is currently alive (visible for tests)
   */
  public static synchronized boolean isAlive(String key) {
    return DATABASES.containsKey(key);
  }

  private static synchronized void deleteAll() {
    for (Entry e : DATABASES.values()) {
      deleteRecursively(e.dir);
    }
    DATABASES.clear();
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot delete " + dir, ex);
    }
  }
}
