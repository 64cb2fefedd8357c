package dev.lancetorch.torch;

import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.TorchGather;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Run by {@link OutputSizeGuardTest} in a child JVM (an unguarded size allocates tens of GB and may
 * get the JVM killed): each case prints {@code CASE <name>: threw <exception>: <message>} or {@code
 * CASE <name>: returned}, then {@code ALL CASES RAN}.
 */
public final class OutputSizeGuardMain {
  private OutputSizeGuardMain() {}

  public static void main(String[] args) {
    try (RootAllocator a = new RootAllocator()) {
      try (VectorSchemaRoot root = Fixtures.root(JaggedColumnTest.tokens(a, "tok", 2));
          TorchBatch b = TorchBatch.fromRoot(root, a)) {
        run(
            "pad fixed(Integer.MAX_VALUE)",
            () -> b.padded("tok", PadOptions.fixed(Integer.MAX_VALUE)).close());
      }
      run(
          "gather 2^40 rows",
          () -> TorchGather.create(List.of("x"), -1, 1 << 20, 1L << 40).close());
      long q = 1L << 62;
      run(
          "gather sizes wrapping to 0",
          () -> TorchGather.create(List.of("x"), -1, new long[] {q, q, q, q}).close());
      BigIntVector x = new BigIntVector("x", a);
      x.allocateNew(4);
      for (int i = 0; i < 4; i++) {
        x.set(i, i);
      }
      x.setValueCount(4);
      try (VectorSchemaRoot root = Fixtures.root(x);
          NativeBatch src = NativeBatch.fromRoot(root, a);
          TorchGather g = TorchGather.create(List.of("x"), -1, 1 << 20, Integer.MAX_VALUE)) {
        run(
            "gather outputs of 2^31 - 1 rows",
            () -> g.rows(src, new long[] {0}, new long[] {0}, 0, 1));
      }
    }
    System.out.println("ALL CASES RAN");
  }

  private static void run(String name, Runnable body) {
    try {
      body.run();
      System.out.println("CASE " + name + ": returned");
    } catch (RuntimeException e) {
      System.out.println(
          "CASE " + name + ": threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
