package dev.lancetorch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a database lives: the uri the user gave (normalized) and the local directory holding its
 * {@code <table>.lance} datasets. For {@code memory://} the directory is owned by {@link
 * MemoryDatabases} and {@link #release()} gives the connection's share back.
 */
final class DatabaseLocation {
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.\\-]*)://");

  final String uri;
  final Path directory;
  final boolean memory;

  private DatabaseLocation(String uri, Path directory, boolean memory) {
    this.uri = uri;
    this.directory = directory;
    this.memory = memory;
  }

  static DatabaseLocation resolve(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("database uri must not be empty");
    }
    Matcher m = SCHEME.matcher(uri);
    if (!m.find()) {
      return local(Paths.get(uri));
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "file":
        return local(Paths.get(URI.create(uri)));
      case "memory":
        String key = MemoryDatabases.normalize(uri);
        return new DatabaseLocation(key, MemoryDatabases.acquire(key), true);
      default:
        throw new UnsupportedOperationException(
            "unsupported database uri scheme '" + scheme + "' in '" + uri
                + "': lance-torch supports local paths, file:// and memory:// (s3:// and db:// are planned)");
    }
  }

  private static DatabaseLocation local(Path path) {
    Path abs = path.toAbsolutePath().normalize();
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create database directory " + abs, e);
    }
    return new DatabaseLocation(abs.toString(), abs, false);
  }

  /** @return the Lance dataset uri of a table (a local absolute path) */
  String tableUri(String name) {
    return directory.resolve(TableNames.directoryName(name)).toString();
  }

  void release() {
    if (memory) {
      MemoryDatabases.release(uri);
    }
  }
}
