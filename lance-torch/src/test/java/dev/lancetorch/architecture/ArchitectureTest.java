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
 *   <li>docs/architecture.md's import table is the one the code gives.
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
