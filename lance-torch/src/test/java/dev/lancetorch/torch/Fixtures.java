package dev.lancetorch.torch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;

/**
 * Test helpers: building roots, reading tensor elements through their strides, patching C structs.
 */
final class Fixtures {
  private Fixtures() {}

  static VectorSchemaRoot root(FieldVector... vectors) {
    VectorSchemaRoot r = new VectorSchemaRoot(Arrays.asList(vectors));
    r.setRowCount(vectors.length == 0 ? 0 : vectors[0].getValueCount());
    return r;
  }

  static long dataPtr(Tensor t) {
    return t.data_ptr().address();
  }

  static long[] shape(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.size(i);
    }
    return s;
  }

  static long[] strides(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.stride(i);
    }
    return s;
  }

  /** Element at idx (through strides), widened to double; uint64 read as signed long bits. */
  static double value(Tensor t, long... idx) {
    long off = 0;
    for (int i = 0; i < idx.length; i++) {
      off += idx[i] * t.stride(i);
    }
    long p = dataPtr(t);
    switch (t.scalar_type().intern()) { // JavaCPP returns non-canonical enum objects
      case Char:
        return MemoryUtil.getByte(p + off);
      case Byte:
        return MemoryUtil.getByte(p + off) & 0xff;
      case Bool:
        return MemoryUtil.getByte(p + off);
      case Short:
        return MemoryUtil.getShort(p + 2 * off);
      case UInt16:
        return MemoryUtil.getShort(p + 2 * off) & 0xffff;
      case Int:
        return MemoryUtil.getInt(p + 4 * off);
      case UInt32:
        return MemoryUtil.getInt(p + 4 * off) & 0xffffffffL;
      case Long:
      case UInt64:
        return MemoryUtil.getLong(p + 8 * off);
      case Half:
        return halfToFloat(MemoryUtil.getShort(p + 2 * off));
      case Float:
        return Float.intBitsToFloat(MemoryUtil.getInt(p + 4 * off));
      case Double:
        return Double.longBitsToDouble(MemoryUtil.getLong(p + 8 * off));
      default:
        throw new AssertionError("unexpected dtype " + t.scalar_type());
    }
  }

  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits >>> 15) != 0 ? -1 : 1;
    int exp = (bits >>> 10) & 0x1f;
    int man = bits & 0x3ff;
    if (exp == 0) {
      return sign * man * (float) Math.pow(2, -24);
    }
    if (exp == 31) {
      return man == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
    }
    return sign * (1 + man / 1024f) * (float) Math.pow(2, exp - 15);
  }

  // struct ArrowArray field offsets (bytes) from the C Data Interface layout
  static final int LENGTH = 0;
  static final int NULL_COUNT = 8;
  static final int OFFSET = 16;
  static final int N_BUFFERS = 24;
  static final int N_CHILDREN = 32;
  static final int CHILDREN = 48;

  static void putField(long structAddress, int fieldOffset, long value) {
    MemoryUtil.putLong(structAddress + fieldOffset, value);
  }

  static long childAddress(long structAddress, int i) {
    long children = MemoryUtil.getLong(structAddress + CHILDREN);
    return MemoryUtil.getLong(children + 8L * i);
  }

  /** Exports root, lets patch edit the raw C structs, imports. */
  static TorchBatch exportPatched(
      BufferAllocator a, VectorSchemaRoot root, java.util.function.LongConsumer patch) {
    try (ArrowArray array = ArrowArray.allocateNew(a);
        ArrowSchema schema = ArrowSchema.allocateNew(a)) {
      Data.exportVectorSchemaRoot(a, root, null, array, schema);
      patch.accept(array.memoryAddress());
      return TorchBatch.importFrom(array.memoryAddress(), schema.memoryAddress());
    }
  }

  /**
   * Exports root with the top-level array's offset and length patched to {@code offset} and {@code
   * length} (a slice, as a producer that slices without copying exports it), imports.
   */
  static TorchBatch exportSliced(
      BufferAllocator a, VectorSchemaRoot root, long offset, long length) {
    return exportPatched(
        a,
        root,
        top -> {
          putField(top, OFFSET, offset);
          putField(top, LENGTH, length);
        });
  }

  /** A test body over its own allocator and the bridge counters from before it ran. */
  @FunctionalInterface
  interface LeakCheckedBody {
    void run(RootAllocator a, BridgeStats before) throws Exception;
  }

  /**
   * Runs {@code body} with a new allocator, then checks that the allocator holds nothing and (after
   * closing it) that every batch imported meanwhile was released and every tensor created freed.
   */
  static void leakChecked(LeakCheckedBody body) throws Exception {
    BridgeStats before = BridgeStats.snapshot();
    try (RootAllocator a = new RootAllocator()) {
      body.run(a, before);
      assertThat(a.getAllocatedMemory()).isZero();
    }
    assertBalanced(before);
  }

  static void assertBalanced(BridgeStats before) {
    BridgeStats now = BridgeStats.snapshot();
    assertThat(now.batchesReleased() - before.batchesReleased())
        .as("batches released == imported")
        .isEqualTo(now.batchesImported() - before.batchesImported());
    assertThat(now.tensorsFreed() - before.tensorsFreed())
        .as("tensors freed == created")
        .isEqualTo(now.tensorsCreated() - before.tensorsCreated());
  }

  static List<String> names(String... n) {
    return List.of(n);
  }
}
