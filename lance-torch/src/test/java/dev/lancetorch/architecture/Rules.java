package dev.lancetorch.architecture;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The two layering rules over a {@link PackageGraph}, against a list of tolerated violations
 * ({@code known-violations.txt}): lines {@code internal: A -> B} (a class of the internal packages
 * that depends on a class of an API package) and {@code cycle-edge: p -> q} (a package edge left
 * out of the cycle check). {@code #} starts a comment.
 */
final class Rules {
  private static final String INTERNAL_LINE = "internal: ";
  private static final String CYCLE_LINE = "cycle-edge: ";

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

  static Result check(PackageGraph graph, String root, String internal, List<String> known) {
    Set<String> knownUpward = new TreeSet<>();
    Set<String> cycleEdges = new LinkedHashSet<>();
    for (String raw : known) {
      String line = raw.strip();
      if (line.startsWith(INTERNAL_LINE)) {
        knownUpward.add(line.substring(INTERNAL_LINE.length()).strip());
      } else if (line.startsWith(CYCLE_LINE)) {
        cycleEdges.add(line.substring(CYCLE_LINE.length()).strip());
      }
    }
    List<String> problems = new ArrayList<>();
    SortedSet<String> upward = upwardImports(graph, internal);
    for (String edge : upward) {
      if (!knownUpward.contains(edge)) {
        problems.add("new import from internal into an API package: " + edge);
      }
    }
    for (String edge : knownUpward) {
      if (!upward.contains(edge)) {
        problems.add("listed but gone (delete the line): " + INTERNAL_LINE + edge);
      }
    }
    for (SortedSet<String> cycle : graph.cycles(cycleEdges)) {
      problems.add("new package cycle: " + cycle);
    }
    Set<String> packageEdges = graph.packageEdges();
    for (String edge : cycleEdges) {
      if (!packageEdges.contains(edge)) {
        problems.add("listed but gone (delete the line): " + CYCLE_LINE + edge);
      } else {
        Set<String> without = new LinkedHashSet<>(cycleEdges);
        without.remove(edge);
        if (graph.cycles(without).isEmpty()) {
          problems.add(
              "listed but no longer closes a cycle (delete the line): " + CYCLE_LINE + edge);
        }
      }
    }
    return new Result(problems);
  }

  /**
   * The list that tolerates exactly today's violations: every upward import, and a minimal set of
   * package edges whose removal leaves no cycle (edges out of internal packages are tried first).
   */
  static List<String> knownFile(PackageGraph graph, String root, String internal) {
    List<String> lines = new ArrayList<>();
    lines.add("# Violations of the layering rules that the tree still has (ArchitectureTest).");
    lines.add(
        "# The test fails on a violation not listed here and on a line that no longer holds:");
    lines.add("# this list only shrinks. Regenerate with -Dlancetorch.arch.update=true.");
    for (String edge : upwardImports(graph, internal)) {
      lines.add(INTERNAL_LINE + edge);
    }
    List<String> candidates = new ArrayList<>();
    for (String edge : graph.packageEdges()) {
      if (isInternal(edge.split(" -> ")[0], internal)) {
        candidates.add(edge);
      }
    }
    for (String edge : graph.packageEdges()) {
      if (!candidates.contains(edge)) {
        candidates.add(edge);
      }
    }
    Set<String> cut = new LinkedHashSet<>();
    for (String edge : candidates) {
      if (graph.cycles(cut).isEmpty()) {
        break;
      }
      if (inCycle(graph, cut, edge)) {
        cut.add(edge);
      }
    }
    for (String edge : new ArrayList<>(cut)) {
      cut.remove(edge);
      if (!graph.cycles(cut).isEmpty()) {
        cut.add(edge);
      }
    }
    for (String edge : cut) {
      lines.add(CYCLE_LINE + edge);
    }
    return lines;
  }

  private static boolean inCycle(PackageGraph graph, Set<String> cut, String edge) {
    String[] ends = edge.split(" -> ");
    for (SortedSet<String> cycle : graph.cycles(cut)) {
      if (cycle.contains(ends[0]) && cycle.contains(ends[1])) {
        return true;
      }
    }
    return false;
  }
}
