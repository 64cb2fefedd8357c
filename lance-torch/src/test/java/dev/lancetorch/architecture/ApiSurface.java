package dev.lancetorch.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The public API surface of the API packages as sorted lines: each public type users can reach
 * (top-level public, or nested public in a public type) and its public and protected constructors,
 * methods and fields, with raw parameter and return types. Synthetic and bridge members are left
 * out.
 */
final class ApiSurface {
  private ApiSurface() {}

  static SortedSet<String> of(Iterable<JavaClass> classes, Set<String> apiPackages) {
    SortedSet<String> lines = new TreeSet<>();
    for (JavaClass c : classes) {
      if (!apiPackages.contains(c.getPackageName()) || !reachable(c)) {
        continue;
      }
      String type = c.getName();
      lines.add(type + " " + kind(c) + supertypes(c));
      for (JavaCodeUnit u : c.getCodeUnits()) {
        if (visible(u.getModifiers()) && !u.getName().equals("<clinit>")) {
          String params =
              u.getRawParameterTypes().stream()
                  .map(ApiSurface::typeName)
                  .collect(Collectors.joining(", "));
          String name = u.getName().equals("<init>") ? "new" : u.getName();
          lines.add(
              type
                  + " "
                  + modifiers(u.getModifiers())
                  + name
                  + "("
                  + params
                  + ") : "
                  + typeName(u.getRawReturnType()));
        }
      }
      for (JavaField f : c.getFields()) {
        if (visible(f.getModifiers())) {
          lines.add(
              type
                  + " "
                  + modifiers(f.getModifiers())
                  + "field "
                  + f.getName()
                  + " : "
                  + typeName(f.getRawType()));
        }
      }
    }
    return lines;
  }

  private static String typeName(JavaClass c) {
    return c.isArray() ? typeName(c.getComponentType()) + "[]" : c.getName();
  }

  private static boolean reachable(JavaClass c) {
    if (!c.getModifiers().contains(JavaModifier.PUBLIC) || c.isAnonymousClass()) {
      return false;
    }
    return c.getEnclosingClass().map(ApiSurface::reachable).orElse(true);
  }

  private static boolean visible(Set<JavaModifier> modifiers) {
    return (modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED))
        && !modifiers.contains(JavaModifier.SYNTHETIC)
        && !modifiers.contains(JavaModifier.BRIDGE);
  }

  private static String kind(JavaClass c) {
    if (c.isAnnotation()) {
      return "@interface";
    }
    if (c.isInterface()) {
      return "interface";
    }
    if (c.isEnum()) {
      return "enum";
    }
    if (c.isRecord()) {
      return "record";
    }
    return (c.getModifiers().contains(JavaModifier.ABSTRACT) ? "abstract " : "")
        + (c.getModifiers().contains(JavaModifier.FINAL) ? "final " : "")
        + "class";
  }

  private static String supertypes(JavaClass c) {
    SortedSet<String> names = new TreeSet<>();
    c.getRawSuperclass()
        .filter(
            s -> !s.getName().equals("java.lang.Object") && !s.getName().equals("java.lang.Enum"))
        .filter(s -> !s.getName().equals("java.lang.Record"))
        .ifPresent(s -> names.add(s.getName()));
    c.getRawInterfaces().forEach(i -> names.add(i.getName()));
    return names.isEmpty() ? "" : " : " + String.join(", ", names);
  }

  private static String modifiers(Set<JavaModifier> modifiers) {
    StringBuilder b = new StringBuilder();
    b.append(modifiers.contains(JavaModifier.PUBLIC) ? "public " : "protected ");
    if (modifiers.contains(JavaModifier.STATIC)) {
      b.append("static ");
    }
    if (modifiers.contains(JavaModifier.ABSTRACT)) {
      b.append("abstract ");
    }
    return b.toString();
  }
}
