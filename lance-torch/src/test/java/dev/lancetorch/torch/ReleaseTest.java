package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lancetorch.internal.jni.NativeBridge;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Exactly-once release of the Arrow data, whatever the order, thread or GC path. */
class ReleaseTest {
  private static TorchBatch batch(RootAllocator a) {
    try (VectorSchemaRoot root =
        Fixtures.root(Columns.floats(a, "x", 16, 2f), Columns.embeddings(a, "emb", 16, 4))) {
      return TorchBatch.fromRoot(
          root, a); // the root is gone right away: the batch keeps the buffers
    }
  }

  @Test
  void tensorsClosedBeforeTheBatch() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          TorchBatch b = batch(a);
          b.column("x").close();
          b.columnMajor("emb").close();
          assertThat(BridgeStats.snapshot().liveBatches()).isEqualTo(before.liveBatches() + 1);
          assertThat(a.getAllocatedMemory()).isPositive();
          b.close();
        });
  }

  @Test
  void tensorsAndViewsOutliveTheBatch() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          TorchBatch b = batch(a);
          Tensor x = b.column("x");
          Tensor emb = b.column("emb");
          b.close();
          assertThat(a.getAllocatedMemory()).isPositive();
          Tensor row = emb.select(0, 3); // a torch view shares the storage
          emb.close();
          assertThat(Fixtures.value(x, 5)).isEqualTo(10.0);
          x.close();
          assertThat(a.getAllocatedMemory()).as("the view still holds the batch").isPositive();
          assertThat(Fixtures.value(row, 2)).isEqualTo(Columns.emb(3, 2));
          long releasedBefore = BridgeStats.snapshot().batchesReleased();
          row.close();
          assertThat(BridgeStats.snapshot().batchesReleased()).isEqualTo(releasedBefore + 1);
        });
  }

  @Test
  void lastReferenceDroppedOnAnotherThread() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          List<Tensor> tensors = new ArrayList<>();
          try (TorchBatch b = batch(a)) {
            for (int i = 0; i < 8; i++) {
              tensors.add(i % 2 == 0 ? b.column("x") : b.columnMajor("emb"));
            }
          }
          AtomicReference<Throwable> error = new AtomicReference<>();
          Thread t =
              new Thread(
                  () -> {
                    try {
                      tensors.forEach(Tensor::close);
                    } catch (Throwable e) {
                      error.set(e);
                    }
                  });
          t.start();
          t.join();
          assertThat(error.get()).isNull();
        });
  }

  @Test
  void lastReferenceDroppedOnADetachedNativeThread() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          long handle;
          try (VectorSchemaRoot root = Fixtures.root(Columns.floats(a, "x", 8, 1f));
              org.apache.arrow.c.ArrowArray arr = org.apache.arrow.c.ArrowArray.allocateNew(a);
              org.apache.arrow.c.ArrowSchema sch = org.apache.arrow.c.ArrowSchema.allocateNew(a)) {
            org.apache.arrow.c.Data.exportVectorSchemaRoot(a, root, null, arr, sch);
            long batch = NativeBridge.importBatch(arr.memoryAddress(), sch.memoryAddress());
            handle = NativeBridge.columnTensor(batch, 0, false, false, 0);
            NativeBridge.releaseBatch(batch);
          }
          assertThat(a.getAllocatedMemory()).isPositive();
          NativeBridge.deleteOnNativeThread(handle); // Arrow Java's release callback runs there
        });
  }

  @Test
  void garbageCollectedTensorsReleaseTheBatch() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          try (TorchBatch b = batch(a)) {
            for (int i = 0; i < 4; i++) {
              b.column("emb"); // dropped without close: the Cleaner must free it
            }
          }
          long deadline = System.nanoTime() + 20_000_000_000L;
          while (a.getAllocatedMemory() != 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
          }
        });
  }

  @Test
  void pointerScopesAndReferencesFreeTensorsOnce() throws Exception {
    Fixtures.leakChecked(
        (a, before) -> {
          try (TorchBatch b = batch(a)) {
            Tensor kept;
            try (org.bytedeco.javacpp.PointerScope scope =
                new org.bytedeco.javacpp.PointerScope()) {
              Tensor inScope = b.column("x");
              assertThat(inScope.referenceCount()).isEqualTo(1);
              kept = b.column("emb").retainReference(); // survives the scope
            }
            assertThat(BridgeStats.snapshot().liveTensors() - before.liveTensors()).isEqualTo(1);
            assertThat(Fixtures.value(kept, 15, 3)).isEqualTo(Columns.emb(15, 3));
            kept.close();
            kept.close(); // idempotent
            assertThat(kept.isNull()).isTrue();
          }
        });
  }
}
