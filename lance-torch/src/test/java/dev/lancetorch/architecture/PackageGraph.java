package dev.lancetorch.architecture;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The imports of a set of classes, read by ArchUnit from their bytecode, as two graphs: top-level
 * class → top-level class, and package → package (edges only between packages under {@code root}).
 * Nested classes count as their top-level class; a class's dependencies on its own package are not
 * package edges.
 */
final class PackageGraph {
  private final String root;
  private final SortedSet<String> classEdges = new TreeSet<>();
  private final Map<String, SortedSet<String>> packageEdges = new TreeMap<>();

  PackageGraph(String root, Iterable<JavaClass> classes) {
    this.root = root;
    for (JavaClass c : classes) {
      if (!inRoot(c.getPackageName())) {
        continue;
      }
      packageEdges.computeIfAbsent(c.getPackageName(), k -> new TreeSet<>());
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        JavaClass target = d.getTargetClass().getBaseComponentType();
        if (target.isPrimitive() || !inRoot(target.getPackageName())) {
          continue;
        }
        String from = topLevel(c.getName());
        String to = topLevel(target.getName());
        if (!from.equals(to)) {
          classEdges.add(from + " -> " + to);
        }
        if (!c.getPackageName().equals(target.getPackageName())) {
          packageEdges.get(c.getPackageName()).add(target.getPackageName());
        }
      }
    }
  }

  private boolean inRoot(String pkg) {
    return pkg.equals(root) || pkg.startsWith(root + ".");
  }

  static String topLevel(String className) {
    int dollar = className.indexOf('$');
    return dollar < 0 ? className : className.substring(0, dollar);
  }

  static String packageOf(String className) {
    return className.substring(0, className.lastIndexOf('.'));
  }

  /** Every {@code "a.B -> c.D"} dependency between two top-level classes, sorted. */
  SortedSet<String> classEdges() {
    return classEdges;
  }

  /** Every {@code "a -> c"} dependency between two packages, sorted. */
  SortedSet<String> packageEdges() {
    SortedSet<String> out = new TreeSet<>();
    packageEdges.forEach((from, tos) -> tos.forEach(to -> out.add(from + " -> " + to)));
    return out;
  }

  /**
   * The package cycles left once the {@code ignored} package edges ({@code "a -> b"}) are taken
   * out: each strongly connected component of two or more packages, its members sorted (Tarjan).
   */
  List<SortedSet<String>> cycles(Set<String> ignored) {
    Map<String, List<String>> graph = new TreeMap<>();
    packageEdges.forEach(
        (from, tos) -> {
          List<String> kept = new ArrayList<>();
          for (String to : tos) {
            if (!ignored.contains(from + " -> " + to)) {
              kept.add(to);
            }
          }
          graph.put(from, kept);
        });
    return new Tarjan(graph).components();
  }

  /** Strongly connected components of a small graph (recursive; a few dozen packages). */
  private static final class Tarjan {
    private final Map<String, List<String>> graph;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final Deque<String> stack = new ArrayDeque<>();
    private final Set<String> onStack = new TreeSet<>();
    private final List<SortedSet<String>> out = new ArrayList<>();

    Tarjan(Map<String, List<String>> graph) {
      this.graph = graph;
    }

    List<SortedSet<String>> components() {
      for (String v : graph.keySet()) {
        if (!index.containsKey(v)) {
          visit(v);
        }
      }
      return out;
    }

    private void visit(String v) {
      index.put(v, index.size());
      low.put(v, index.get(v));
      stack.push(v);
      onStack.add(v);
      for (String w : graph.getOrDefault(v, List.of())) {
        if (!index.containsKey(w)) {
          visit(w);
          low.put(v, Math.min(low.get(v), low.get(w)));
        } else if (onStack.contains(w)) {
          low.put(v, Math.min(low.get(v), index.get(w)));
        }
      }
      if (low.get(v).equals(index.get(v))) {
        SortedSet<String> component = new TreeSet<>();
        String w;
        do {
          w = stack.pop();
          onStack.remove(w);
          component.add(w);
        } while (!w.equals(v));
        if (component.size() > 1) {
          out.add(component);
        }
      }
    }
  }
}
