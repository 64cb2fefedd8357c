package dev.lancetorch.architecture;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The facts docs/architecture.md states about the packages, read from its text: the package list
 * (one table row per package, between its markers) and the layer picture (the code block after its
 * marker, top to bottom).
 */
final class DocFacts {
  static final String LIST_MARKER = "<!-- package list: checked by ArchitectureTest -->";
  static final String LIST_END = "<!-- end of package list -->";
  static final String PICTURE_MARKER = "<!-- layer picture: checked by ArchitectureTest";
  private static final Pattern LIST_ROW = Pattern.compile("^\\| `([a-z.]+)` \\|");
  private static final Pattern PICTURE_NAME =
      Pattern.compile("\\s(dev\\.lancetorch(?:\\.[a-z]+)*|internal\\.[a-z]+)(?=\\s|$)");

  private DocFacts() {}

  /** The packages of the package list, in its order. */
  static List<String> packageList(List<String> doc) {
    List<String> out = new ArrayList<>();
    int from = doc.indexOf(LIST_MARKER);
    int to = doc.indexOf(LIST_END);
    if (from < 0 || to < from) {
      throw new IllegalStateException("docs/architecture.md has no package list between markers");
    }
    for (String line : doc.subList(from + 1, to)) {
      Matcher m = LIST_ROW.matcher(line);
      if (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /** The packages of the layer picture, top to bottom, with full names. */
  static List<String> layerPicture(List<String> doc, String root) {
    int at = -1;
    for (int i = 0; i < doc.size() && at < 0; i++) {
      if (doc.get(i).startsWith(PICTURE_MARKER)) {
        at = i;
      }
    }
    if (at < 0 || at + 1 >= doc.size() || !doc.get(at + 1).startsWith("```")) {
      throw new IllegalStateException("docs/architecture.md has no layer picture after its marker");
    }
    List<String> out = new ArrayList<>();
    for (String line : doc.subList(at + 2, doc.size())) {
      if (line.startsWith("```")) {
        return out;
      }
      Matcher m = PICTURE_NAME.matcher(line);
      if (m.find()) {
        String name = m.group(1);
        out.add(name.startsWith("internal.") ? root + "." + name : name);
      }
    }
    throw new IllegalStateException("the layer picture's code block does not end");
  }
}
