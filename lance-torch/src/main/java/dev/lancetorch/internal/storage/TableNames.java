package dev.lancetorch.internal.storage;

import java.util.regex.Pattern;

/** Rules for table names and their on-disk directory names ({@code <name>.lance}). */
public final class TableNames {
  static final String SUFFIX = ".lance";

  /** 255 bytes is the usual file-name limit; the directory name carries the ".lance" suffix. */
  static final int MAX_LENGTH = 255 - SUFFIX.length();

  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_.\\-]+");

  private TableNames() {}

  public static String validate(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("invalid table name: must not be empty");
    }
    if (name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "invalid table name '"
              + name.substring(0, 32)
              + "...': "
              + name.length()
              + " characters, at most "
              + MAX_LENGTH
              + " allowed");
    }
    if (name.contains("/") || name.contains("\\")) {
      throw new IllegalArgumentException(
          "invalid table name '" + name + "': contains a path separator");
    }
    if (name.contains("..") || name.startsWith(".")) {
      throw new IllegalArgumentException(
          "invalid table name '" + name + "': must not start with '.' or contain '..'");
    }
    if (!ALLOWED.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "invalid table name '" + name + "': only letters, digits, '_', '-' and '.' are allowed");
    }
    return name;
  }

  static String directoryName(String name) {
    return name + SUFFIX;
  }
}
