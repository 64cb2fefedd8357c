package dev.lancetorch.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The house rules of docs/architecture.md, read from the library's bytecode (ArchUnit):
 *
 * <ul>
 *   <li>no package cycles (also checked by ArchUnit's {@code beFreeOfCycles});
 *   <li>no import from {@code dev.lancetorch.internal..} into an API package;
 *   <li>the public API surface equals its snapshot, {@code api-surface.txt};
 *   <li>docs/architecture.md's import table is the one the code gives, its package list names every
 *       package of the library, and its layer picture holds: each package imports only packages
 *       drawn below it.
 * </ul>
 *
 * <p>Nothing is tolerated: the first two hold with no exception list. A deliberate API change is
 * recorded with {@code -Dlancetorch.arch.update=true} (rewrites the snapshot and the docs' table;
 * review the diff).
 */
class ArchitectureTest {
  static final String ROOT = "dev.lancetorch";
  static final String INTERNAL = ROOT + ".internal";
  private static final Path DIR = Path.of("src/test/resources/architecture");
  private static final Path SURFACE = DIR.resolve("api-surface.txt");
  private static final Path DOC = Path.of("../docs/architecture.md");
  private static final boolean UPDATE = Boolean.getBoolean("lancetorch.arch.update");

  private static PackageGraph library;
  private static JavaClasses classes;

  @BeforeAll
  static void importLibrary() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages(ROOT);
    library = new PackageGraph(ROOT, classes);
    assertThat(library.packageEdges()).as("the library's classes were found").isNotEmpty();
  }

  @Test
  void noPackageCyclesNorImportsFromInternalIntoApi() {
    Rules.Result result = Rules.check(library, INTERNAL);
    assertThat(result.problems()).as(result.summary()).isEmpty();
  }

  /**
   * The same rule in the sources: the bytecode does not show an import used only by Javadoc or a
   * constant inlined by the compiler, so no source file under {@code internal} imports an API type.
   */
  @Test
  void noInternalSourceImportsAnApiType() throws IOException {
    Path internal = Path.of("src/main/java/dev/lancetorch/internal");
    List<String> found = new ArrayList<>();
    try (java.util.stream.Stream<Path> files = Files.walk(internal)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(f)) {
          if (line.matches("import (static )?dev\\.lancetorch\\.(?!internal\\.).*")) {
            found.add(internal.relativize(f) + ": " + line);
          }
        }
      }
    }
    assertThat(found).as("imports of API types in internal sources").isEmpty();
  }

  /** ArchUnit's own cycle check over every package of the library, with nothing tolerated. */
  static ArchRule freeOfCycles(String root) {
    return slices().matching(root + ".(**)").should().beFreeOfCycles();
  }

  @Test
  void thePackagesAreFreeOfCycles() {
    freeOfCycles(ROOT).check(classes);
  }

  @Test
  void theCycleRuleCatchesAPlantedCycle() {
    String root = ArchitectureTest.class.getPackageName() + ".fixture";
    EvaluationResult result =
        freeOfCycles(root).evaluate(new ClassFileImporter().importPackages(root));
    assertThat(result.hasViolation()).as("the planted api <-> internal cycle is reported").isTrue();
    assertThat(result.getFailureReport().toString()).contains("Engine").contains("Front");
  }

  @Test
  void publicApiSurfaceMatchesItsSnapshot() throws IOException {
    SortedSet<String> now = ApiSurface.of(classes, Rules.apiPackages(library, ROOT, INTERNAL));
    if (UPDATE) {
      Files.write(SURFACE, now);
      return;
    }
    SortedSet<String> snapshot = new TreeSet<>(Files.readAllLines(SURFACE));
    List<String> diff = new ArrayList<>();
    now.stream().filter(l -> !snapshot.contains(l)).forEach(l -> diff.add("+ " + l));
    snapshot.stream().filter(l -> !now.contains(l)).forEach(l -> diff.add("- " + l));
    assertThat(diff)
        .as(
            "public API changed against %s (+ new, - gone); if deliberate, rerun with"
                + " -Dlancetorch.arch.update=true and commit the file:%n%s",
            SURFACE, diff.stream().collect(Collectors.joining(System.lineSeparator())))
        .isEmpty();
  }

  @Test
  void architectureDocsImportTableIsTheCodes() throws IOException {
    List<String> table = ImportTable.render(classes, library, ROOT);
    List<String> doc = Files.readAllLines(DOC);
    if (UPDATE) {
      Files.write(DOC, ImportTable.replace(doc, table));
      return;
    }
    assertThat(String.join("\n", ImportTable.section(doc)))
        .as("%s's import table is stale: rerun with -Dlancetorch.arch.update=true", DOC)
        .isEqualTo(String.join("\n", table));
  }

  /** The library's packages, from its classes. */
  private static SortedSet<String> packages() {
    SortedSet<String> out = new TreeSet<>();
    classes.forEach(c -> out.add(c.getPackageName()));
    return out;
  }

  @Test
  void architectureDocsListEveryPackage() throws IOException {
    assertThat(DocFacts.packageList(Files.readAllLines(DOC)))
        .as("%s's package list", DOC)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(packages());
  }

  @Test
  void architectureDocsLayerPictureHolds() throws IOException {
    List<String> layers = DocFacts.layerPicture(Files.readAllLines(DOC), ROOT);
    assertThat(layers)
        .as("%s's layer picture", DOC)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(packages());
    List<String> upward = new ArrayList<>();
    for (String edge : library.packageEdges()) {
      String[] ends = edge.split(" -> ");
      if (layers.indexOf(ends[1]) <= layers.indexOf(ends[0])) {
        upward.add(edge);
      }
    }
    assertThat(upward).as("imports of a package drawn above the importer in %s", DOC).isEmpty();
  }

  @Test
  void theRulesCatchAPlantedCycleAndAnUpwardImport() {
    String root = ArchitectureTest.class.getPackageName() + ".fixture";
    PackageGraph planted = new PackageGraph(root, new ClassFileImporter().importPackages(root));
    Rules.Result result = Rules.check(planted, root + ".internal");
    assertThat(result.problems())
        .anySatisfy(p -> assertThat(p).startsWith("package cycle").contains(root + ".api"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("import from internal into an API package")
                    .contains(root + ".internal.Engine -> " + root + ".api.Front"));
  }
}
