package dev.lancetorch.architecture;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The two layering rules over a {@link PackageGraph}, with nothing tolerated: no class of the
 * internal packages depends on a class of an API package, and no package cycle.
 */
final class Rules {
  private Rules() {}

  /** What {@link #check} found: one line per problem. */
  record Result(List<String> problems) {
    String summary() {
      return problems.size()
          + " architecture problem(s):"
          + System.lineSeparator()
          + String.join(System.lineSeparator(), problems);
    }
  }

  static boolean isInternal(String pkg, String internal) {
    return pkg.equals(internal) || pkg.startsWith(internal + ".");
  }

  /** The API packages: every package of the graph outside the internal ones. */
  static Set<String> apiPackages(PackageGraph graph, String root, String internal) {
    Set<String> out = new TreeSet<>();
    for (String edge : graph.packageEdges()) {
      for (String pkg : edge.split(" -> ")) {
        if (!isInternal(pkg, internal)) {
          out.add(pkg);
        }
      }
    }
    return out;
  }

  /** Class dependencies from an internal package into an API package. */
  static SortedSet<String> upwardImports(PackageGraph graph, String internal) {
    SortedSet<String> out = new TreeSet<>();
    for (String edge : graph.classEdges()) {
      String[] ends = edge.split(" -> ");
      if (isInternal(PackageGraph.packageOf(ends[0]), internal)
          && !isInternal(PackageGraph.packageOf(ends[1]), internal)) {
        out.add(edge);
      }
    }
    return out;
  }

  static Result check(PackageGraph graph, String internal) {
    List<String> problems = new ArrayList<>();
    for (String edge : upwardImports(graph, internal)) {
      problems.add("import from internal into an API package: " + edge);
    }
    for (SortedSet<String> cycle : graph.cycles(Set.of())) {
      problems.add("package cycle: " + cycle);
    }
    return new Result(problems);
  }
}
