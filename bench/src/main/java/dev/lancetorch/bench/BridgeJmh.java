package dev.lancetorch.bench;

import dev.lancetorch.torch.TorchBatch;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.bytedeco.pytorch.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-batch cost of the bridge: Arrow C export -> native import -> tensors -> release. Run: {@code
 * make jmh ARGS="BridgeJmh -f 1 -wi 2 -i 3"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-opens=java.base/java.nio=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class BridgeJmh {
  @Param({"1024", "65536"})
  int rows;

  static final int D = 128;

  RootAllocator allocator;
  VectorSchemaRoot root;

  @Setup(Level.Trial)
  public void setUp() {
    allocator = new RootAllocator();
    Float4Vector x = new Float4Vector("x", allocator);
    Float4Vector y = new Float4Vector("y", allocator);
    x.allocateNew(rows);
    y.allocateNew(rows);
    FixedSizeListVector emb = FixedSizeListVector.empty("emb", D, allocator);
    emb.addOrGetVector(
        FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)));
    emb.allocateNew();
    Float4Vector items = (Float4Vector) emb.getDataVector();
    items.allocateNew(rows * D);
    for (int i = 0; i < rows; i++) {
      x.set(i, i);
      y.set(i, -i);
      emb.startNewValue(i);
      for (int k = 0; k < D; k++) {
        items.set(i * D + k, i + k);
      }
    }
    items.setValueCount(rows * D);
    emb.setValueCount(rows);
    x.setValueCount(rows);
    y.setValueCount(rows);
    root = new VectorSchemaRoot(List.of(x, y, emb));
    root.setRowCount(rows);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    root.close();
    allocator.close();
  }

  /** Zero-copy path: export, import, one (R) and one (D, R) view, release everything. */
  @Benchmark
  public long zeroCopyBatch() {
    try (TorchBatch b = TorchBatch.fromRoot(root, allocator);
        Tensor x = b.column("x");
        Tensor emb = b.columnMajor("emb")) {
      return x.data_ptr().address() ^ emb.data_ptr().address();
    }
  }

  /** Gather path: stack two float columns into a fresh (2, R) tensor. */
  @Benchmark
  public long stackTwoColumns() {
    try (TorchBatch b = TorchBatch.fromRoot(root, allocator);
        Tensor s = b.stack(List.of("x", "y"))) {
      return s.data_ptr().address();
    }
  }
}
