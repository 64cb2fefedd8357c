package dev.lancetorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.internal.arrow.FixedSchemaReader;
import dev.lancetorch.loader.DataLoaderException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 items 14, 15 and 16 (copy between connections): failures are classified and leave
 * nothing behind.
 */
class ErrorClassificationTest extends LocalDbFixture {

  /** Two batches of rows, then the read fails as a full disk under the source would. */
  static final class FailingReader extends FixedSchemaReader {
    private int batches;

    FailingReader(BufferAllocator a) {
      super(a, new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)))));
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      if (batches++ == 2) {
        throw new IOException("No space left on device (simulated)");
      }
      VectorSchemaRoot root = getVectorSchemaRoot();
      BigIntVector id = (BigIntVector) root.getVector("id");
      id.allocateNew(50_000);
      for (int i = 0; i < 50_000; i++) {
        id.set(i, i);
      }
      root.setRowCount(50_000);
      return true;
    }
  }

  @Test
  void aFailedCreateLeavesNoTableAndSaysTheWriteFailed() {
    assertThatThrownBy(() -> db.createTable("t", new FailingReader(allocator)))
        .isInstanceOf(LanceTorchException.class)
        .isNotInstanceOf(TableAlreadyExistsException.class)
        .hasMessageContaining("writing")
        .hasMessageContaining("'t'")
        .hasMessageContaining("No space left on device")
        .hasMessageNotContaining("closing");
    assertThat(db.tableNames()).doesNotContain("t");
    assertThat(dir.resolve("t.lance")).doesNotExist();
    assertThatThrownBy(() -> db.openTable("t")).isInstanceOf(TableNotFoundException.class);
    try (VectorSchemaRoot rows = TestData.rows(allocator, 0, 5);
        Table t = db.createTable("t", rows)) {
      assertThat(t.countRows()).isEqualTo(5); // the name is free again
    }
  }

  @Test
  void storageErrorsOnCreateAreIoErrorsNamingTableAndUri() throws IOException {
    Files.write(
        dir.resolve("g.lance"), new byte[] {1}); // a file where the table directory would go
    assertThatThrownBy(
            () -> {
              try (VectorSchemaRoot rows = TestData.rows(allocator, 0, 5)) {
                db.createTable("g", rows);
              }
            })
        .isInstanceOfSatisfying(
            LanceIoException.class,
            e -> {
              assertThat(e.table()).isEqualTo("g");
              assertThat(e.uri()).isEqualTo(dir.toString());
              assertThat(e)
                  .hasMessageContaining("writing")
                  .hasMessageContaining("'g'")
                  .hasCauseInstanceOf(IOException.class);
            });
    assertThat(dir.resolve("g.lance")).isRegularFile(); // not the library's to delete
  }

  @Test
  void aCorruptedManifestIsAnIoErrorNotANotFound() throws IOException {
    try (VectorSchemaRoot rows = TestData.rows(allocator, 0, 5)) {
      db.createTable("c", rows).close();
    }
    try (DirectoryStream<Path> manifests =
        Files.newDirectoryStream(dir.resolve("c.lance/_versions"), "*.manifest")) {
      for (Path m : manifests) {
        Files.write(
            m, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
      }
    }
    assertThatThrownBy(() -> db.openTable("c"))
        .isInstanceOfSatisfying(
            LanceIoException.class,
            e -> {
              assertThat(e.table()).isEqualTo("c");
              assertThat(e).hasMessageContaining("'c'").hasMessageContaining(dir.toString());
            });
    Files.createDirectories(dir.resolve("empty.lance"));
    assertThatThrownBy(() -> db.openTable("empty"))
        .isInstanceOf(TableNotFoundException.class)
        .hasMessageContaining("not found");
  }

  @Test
  void checkoutOfAMissingVersionNamesTableAndVersion() {
    try (VectorSchemaRoot rows = TestData.rows(allocator, 0, 5);
        Table t = db.createTable("v", rows)) {
      assertThatThrownBy(() -> t.checkoutVersion(99))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("version 99")
          .hasMessageContaining("'v'");
    }
  }

  @Test
  void lanceErrorsAreClassifiedByType() {
    assertThat(
            LanceErrors.classify(
                "dropping", "t", "/db", new IOException("Read-only file system (os error 30)")))
        .isInstanceOf(LanceIoException.class)
        .hasMessageContaining("dropping table 't' in /db failed")
        .hasMessageContaining("Read-only file system");
    assertThat(
            LanceErrors.classify(
                "opening", "t", "/db", new IllegalArgumentException("Dataset at x was not found")))
        .isInstanceOf(TableNotFoundException.class);
    assertThat(
            LanceErrors.classify("opening", "t", "/db", new IllegalArgumentException("bad schema")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'t'");
    assertThat(LanceErrors.classify("writing", "t", "/db", new RuntimeException("panic")))
        .isExactlyInstanceOf(LanceTorchException.class);
    assertThat(
            LanceErrors.classify(
                "writing", "t", "/db", new IllegalArgumentException("Dataset already exists")))
        .isInstanceOf(TableAlreadyExistsException.class);
    // by type: a missing file is a storage fault, whatever its message says; the substrings are
    // read only inside lance-core's IllegalArgumentException
    assertThat(
            LanceErrors.classify(
                "reading", "t", "/db", new IOException("Not found: /db/t.lance/data/x.lance")))
        .isInstanceOf(LanceIoException.class);
    assertThat(
            LanceErrors.classify("writing", "t", "/db", new RuntimeException("x already exists")))
        .isExactlyInstanceOf(LanceTorchException.class);
    assertThat(
            LanceErrors.classify(
                "opening",
                "t",
                "/db",
                new org.lance.namespace.errors.TableNotFoundException("no such table")))
        .isInstanceOf(TableNotFoundException.class);
    for (Class<?> c :
        List.of(
            TableNotFoundException.class,
            TableAlreadyExistsException.class,
            LanceIoException.class,
            RemoteDatabaseException.class,
            DataLoaderException.class)) {
      assertThat(LanceTorchException.class).isAssignableFrom(c);
    }
  }

  @Test
  void copyingBetweenTwoConnectionsWorks() {
    try (BufferAllocator other = new RootAllocator();
        Connection src =
            LanceDb.connect(
                dir.resolve("src").toString(), ConnectOptions.builder().allocator(other).build());
        VectorSchemaRoot rows = TestData.rows(other, 0, 30);
        Table s = src.createTable("s", rows);
        VectorSchemaRoot more = TestData.rows(other, 30, 10)) {
      try (Table d = db.createTable("d", s.query().toArrowReader())) {
        d.add(s.query().toArrowReader());
        d.add(more); // a root of the other connection's allocator
        assertThat(d.countRows()).isEqualTo(70);
        assertThat(d.countRows("id >= 30")).isEqualTo(10); // 0..29 twice, then 30..39
      }
    }
  }
}
