package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.internal.arrow.FixedSchemaReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lance.Dataset;
import org.lance.ipc.LanceScanner;
import org.lance.ipc.ScanOptions;

/** A real Lance dataset written with the Lance Java SDK, scanned, every batch converted. */
class LanceDatasetTest {
  static final int ROWS = 1000;
  static final int D = 8;

  /** An ArrowReader over one in-memory root, for the Lance writer. */
  static final class OneBatchReader extends FixedSchemaReader {
    private final VectorSchemaRoot source;
    private boolean done;

    OneBatchReader(RootAllocator a, VectorSchemaRoot source) {
      super(a, source.getSchema());
      this.source = source;
    }

    @Override
    public boolean loadNextBatch() throws java.io.IOException {
      if (done) {
        return false;
      }
      done = true;
      try (var rb = new org.apache.arrow.vector.VectorUnloader(source).getRecordBatch()) {
        new org.apache.arrow.vector.VectorLoader(getVectorSchemaRoot()).load(rb);
      }
      return true;
    }
  }

  @Test
  void scanEveryBatchIntoTensors(@TempDir Path dir) throws Exception {
    BridgeStats before = BridgeStats.snapshot();
    String uri = dir.resolve("t.lance").toString();
    List<Tensor> kept = new ArrayList<>();
    try (RootAllocator a = new RootAllocator()) {
      try (VectorSchemaRoot src =
              Fixtures.root(
                  Columns.floats(a, "x", ROWS, 0.25f),
                  Columns.embeddings(a, "emb", ROWS, D),
                  Columns.ints(a, "n", ROWS));
          OneBatchReader reader = new OneBatchReader(a, src);
          Dataset ds = Dataset.write().allocator(a).reader(reader).uri(uri).execute()) {
        assertThat(ds.countRows()).isEqualTo(ROWS);
      }
      long seen = 0;
      int batches = 0;
      try (Dataset ds = Dataset.open(uri, a);
          LanceScanner scan = ds.newScan(new ScanOptions.Builder().batchSize(128).build());
          ArrowReader r = scan.scanBatches()) {
        while (r.loadNextBatch()) {
          VectorSchemaRoot root = r.getVectorSchemaRoot();
          try (TorchBatch b = TorchBatch.fromRoot(root, a);
              Tensor x = b.column("x");
              Tensor emb = b.columnMajor("emb");
              Tensor stacked = b.stack(List.of("x", "n"))) {
            int rows = (int) b.numRows();
            assertThat(Fixtures.shape(emb)).containsExactly(D, rows);
            for (int i = 0; i < rows; i += 17) {
              long row = seen + i;
              assertThat(Fixtures.value(x, i)).isEqualTo(row * 0.25f);
              assertThat(Fixtures.value(emb, 3, i)).isEqualTo(Columns.emb((int) row, 3));
              assertThat(Fixtures.value(stacked, 1, i)).isEqualTo(1000 + row);
            }
            seen += rows;
            batches++;
            kept.add(b.column("x")); // outlives the reader moving on
          }
        }
        assertThat(seen).isEqualTo(ROWS);
        assertThat(batches).isGreaterThan(1);
      }
      for (int i = 0; i < kept.size(); i++) {
        assertThat(Fixtures.value(kept.get(i), 0)).isEqualTo(i * 128 * 0.25f);
        kept.get(i).close();
      }
      assertThat(a.getAllocatedMemory()).isZero();
    }
    Fixtures.assertBalanced(before);
  }
}
