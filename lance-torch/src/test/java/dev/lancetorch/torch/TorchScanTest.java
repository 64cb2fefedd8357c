package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lancetorch.ArrowStreamExport.Source;
import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.internal.arrow.FixedSchemaReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TorchScan over a real table through both stream sources, plus raw and failing streams. */
class TorchScanTest {
  static final int ROWS = 1000;
  static final int D = 8;

  @TempDir Path dir;
  RootAllocator allocator;
  Connection db;
  Table table;
  BridgeStats before;

  @BeforeEach
  void setUp() {
    before = BridgeStats.snapshot();
    allocator = new RootAllocator();
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
    try (VectorSchemaRoot root =
        Fixtures.root(
            Columns.floats(allocator, "x", ROWS, 0.25f),
            Columns.embeddings(allocator, "emb", ROWS, D),
            Columns.ints(allocator, "n", ROWS))) {
      table = db.createTable("t", root);
    }
  }

  @AfterEach
  void tearDown() {
    table.close();
    db.close();
    allocator.close(); // throws if a stream struct, batch or reader leaked
    Fixtures.assertBalanced(before);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void readsEveryRowZeroCopy(Source source) {
    List<Tensor> kept = new ArrayList<>();
    long rows = 0;
    int batches = 0;
    try (TorchScan scan = TorchScan.open(table.query().select("x", "emb").batchSize(128), source)) {
      assertThat(scan.source())
          .isEqualTo(source); // the reflective path must work with lance-core 7.0.0
      for (TorchBatch next = scan.next(); next != null; next = scan.next()) {
        try (TorchBatch b = next) {
          assertThat(b.columnNames()).containsExactly("x", "emb");
          Tensor x = b.column("x");
          Tensor emb = b.column("emb");
          assertThat(Fixtures.shape(emb)).containsExactly(b.numRows(), D);
          for (long r = 0; r < b.numRows(); r += 37) {
            long row = rows + r;
            assertThat(Fixtures.value(x, r)).isEqualTo(row * 0.25);
            assertThat(Fixtures.value(emb, r, 3)).isEqualTo(Columns.emb((int) row, 3));
          }
          rows += b.numRows();
          batches++;
          if (batches == 1) {
            kept.add(x); // outlives its batch and the scan
          } else {
            x.close();
          }
          emb.close();
        }
      }
      assertThat(scan.next()).isNull();
    }
    assertThat(rows).isEqualTo(ROWS);
    assertThat(batches).isEqualTo((ROWS + 127) / 128);
    assertThat(Fixtures.value(kept.get(0), 5)).isEqualTo(1.25);
    kept.forEach(Tensor::close);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void closesEarlyExactlyOnce(Source source) {
    TorchScan scan = TorchScan.open(table.query().batchSize(100), source);
    TorchBatch first = scan.next();
    scan.close();
    scan.close();
    assertThatThrownBy(scan::next).isInstanceOf(IllegalStateException.class);
    assertThat(first.numRows()).isEqualTo(100);
    try (first;
        Tensor n = first.column("n")) {
      assertThat(Fixtures.value(n, 99)).isEqualTo(1099);
    }
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void keepsItsSnapshotWhileTheTableChanges(Source source) {
    try (TorchScan scan = TorchScan.open(table.query().select("n").batchSize(ROWS), source)) {
      try (VectorSchemaRoot other =
          Fixtures.root(
              Columns.floats(allocator, "x", 3, 1f),
              Columns.embeddings(allocator, "emb", 3, D),
              Columns.ints(allocator, "n", 3))) {
        table.overwrite(other);
      }
      assertThat(table.countRows()).isEqualTo(3);
      try (TorchBatch b = scan.next()) {
        assertThat(b.numRows()).isEqualTo(ROWS);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void badQueriesThrowWithoutLeaking(Source source) {
    assertThatThrownBy(() -> TorchScan.open(table.query().select("nope"), source))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TorchScan.open(table.query().where("nope >>> 3"), source))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rawStreamAndProducerError() {
    ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator);
    try (stream) {
      Data.exportArrayStream(allocator, new FailingReader(allocator), stream);
      try (TorchScan scan = TorchScan.fromStream(stream.memoryAddress())) {
        assertThat(stream.snapshot().release).isZero(); // moved into the scan
        assertThat(scan.source()).isNull();
        try (TorchBatch b = scan.next()) {
          assertThat(b.numRows()).isEqualTo(4);
        }
        assertThatThrownBy(scan::next)
            .isInstanceOf(RuntimeException.class)
            .hasMessageContaining("disk on fire");
        assertThatThrownBy(scan::next)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("failed earlier");
      }
    }
  }

  /** One batch of four rows, then an IOException. */
  static final class FailingReader extends FixedSchemaReader {
    private int calls;

    FailingReader(RootAllocator a) {
      super(a, schema(a));
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      if (calls++ > 0) {
        throw new IOException("disk on fire");
      }
      VectorSchemaRoot root = getVectorSchemaRoot();
      try (VectorSchemaRoot src = Fixtures.root(Columns.floats(allocator, "x", 4, 1f))) {
        src.getVector(0).makeTransferPair(root.getVector(0)).transfer();
      }
      root.setRowCount(4);
      return true;
    }

    private static Schema schema(RootAllocator a) {
      try (VectorSchemaRoot src = Fixtures.root(Columns.floats(a, "x", 0, 1f))) {
        return src.getSchema();
      }
    }
  }
}
