package dev.lancetorch.internal.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lance.Dataset;
import org.lance.OpenDatasetBuilder;
import org.lance.WriteDatasetBuilder;
import org.slf4j.LoggerFactory;

/**
 * Where a database lives: the uri the user gave (normalized) and the local directory holding its
 * {@code <table>.lance} datasets. For {@code memory://} the directory is owned by {@link
 * MemoryDatabases} and {@link #close()} gives the connection's share back.
 */
final class DatabaseLocation implements TableStore {
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.\\-]*)://");

  final String uri;
  final Path directory;
  final boolean memory;

  private DatabaseLocation(String uri, Path directory, boolean memory) {
    this.uri = uri;
    this.directory = directory;
    this.memory = memory;
  }

  /**
   * @return the scheme of {@code uri} in lower case, or null for a plain path
   */
  static String scheme(String uri) {
    Matcher m = SCHEME.matcher(uri);
    return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
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
            "unsupported database uri scheme '"
                + scheme
                + "' in '"
                + uri
                + "': lance-torch supports local paths, file://, memory://, s3:// and db://");
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

  @Override
  public String uri() {
    return uri;
  }

  /**
   * @return the Lance dataset uri of a table (a local absolute path)
   */
  String tableUri(String name) {
    return directory.resolve(TableNames.directoryName(name)).toString();
  }

  @Override
  public List<String> tableNames() {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(directory)) {
      for (Path p : dir) {
        String file = p.getFileName().toString();
        if (file.endsWith(TableNames.SUFFIX)
            && file.length() > TableNames.SUFFIX.length()
            && isTable(p)) {
          names.add(file.substring(0, file.length() - TableNames.SUFFIX.length()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list tables of " + uri, e);
    }
    Collections.sort(names);
    return names;
  }

  /**
   * A table is a {@code <name>.lance} directory with a committed manifest. A directory without one
   * (an orphan: a create that crashed, a copy cut short) is no table: it is not listed, opening it
   * is a {@code TableNotFoundException}, and creating the table writes over it.
   */
  @Override
  public boolean exists(String name) {
    return isTable(directory.resolve(TableNames.directoryName(name)));
  }

  private static boolean isTable(Path dir) {
    return Files.isDirectory(dir) && hasManifest(dir);
  }

  @Override
  public OpenDatasetBuilder target(OpenDatasetBuilder builder, String name) {
    return builder.uri(tableUri(name));
  }

  @Override
  public WriteDatasetBuilder target(WriteDatasetBuilder builder, String name) {
    return builder.uri(tableUri(name));
  }

  @Override
  public void removeFailedCreate(String name) {
    Path table = directory.resolve(TableNames.directoryName(name));
    if (!Files.isDirectory(table)
        || hasManifest(table)) { // never a user's file, never a committed table
      return;
    }
    try (java.util.stream.Stream<Path> files = Files.walk(table)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // nothing was written
    } catch (IOException e) {
      LoggerFactory.getLogger("dev.lancetorch")
          .warn(
              "could not remove the half-written table directory " + table + " of a failed create",
              e);
    }
  }

  private static boolean hasManifest(Path table) {
    try (DirectoryStream<Path> versions =
        Files.newDirectoryStream(table.resolve("_versions"), "*.manifest")) {
      return versions.iterator().hasNext();
    } catch (IOException e) {
      return false; // no _versions directory: nothing committed
    }
  }

  @Override
  public void drop(String name, Map<String, String> storageOptions) {
    Dataset.drop(tableUri(name), storageOptions);
  }

  @Override
  public void close() {
    if (memory) {
      MemoryDatabases.release(uri);
    }
  }
}
