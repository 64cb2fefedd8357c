package dev.lancetorch.bench;

import dev.lancetorch.*;
import java.util.List;
import org.apache.arrow.c.*;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.*;
import org.apache.arrow.vector.ipc.ArrowReader;

public class ExportScratch {
  public static void main(String[] a) throws Exception {
    try (RootAllocator al = new RootAllocator(); Connection db = LanceDb.connect("target/bench-db", ConnectOptions.builder().allocator(al).build()); Table t = db.openTable("narrow")) {
      for (int rep = 0; rep < 4; rep++) {
        long exp = 0, schema = 0, unl = 0, rel = 0; int b = 0;
        try (ArrowReader r = t.query().select(List.of("a","b","c","d")).batchSize(16384).toArrowReader()) {
          while (r.loadNextBatch()) {
            VectorSchemaRoot root = r.getVectorSchemaRoot();
            long t0 = System.nanoTime();
            try (ArrowSchema s = ArrowSchema.allocateNew(al)) { Data.exportSchema(al, root.getSchema(), null, s); s.release(); }
            long t1 = System.nanoTime();
            VectorUnloader u = new VectorUnloader(root);
            try (var rb = u.getRecordBatch()) { }
            long t2 = System.nanoTime();
            try (ArrowArray arr = ArrowArray.allocateNew(al); ArrowSchema s = ArrowSchema.allocateNew(al)) {
              Data.exportVectorSchemaRoot(al, root, null, arr, s);
              long t3 = System.nanoTime();
              arr.release(); s.release();
              rel += System.nanoTime() - t3;
              exp += t3 - t2;
            }
            schema += t1 - t0; unl += t2 - t1; b++;
          }
        }
        System.out.printf("per batch: exportSchema %.1f us, unloader %.1f us, exportVSR %.1f us, release %.1f us (%d batches)%n", schema/1e3/b, unl/1e3/b, exp/1e3/b, rel/1e3/b, b);
      }
    }
  }
}
