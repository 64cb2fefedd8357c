package dev.lancetorch.permutation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Streams a {@link PermutationPlan} as Arrow batches in the permutation-table format, for writing with Lance. */
final class PermutationTableReader extends ArrowReader {
  private static final int BATCH = 1 << 20;
  private final PermutationPlan plan;
  private final long baseVersion;
  private int split;
  private int position;

  PermutationTableReader(BufferAllocator allocator, PermutationPlan plan, long baseVersion) {
    super(allocator);
    this.plan = plan;
    this.baseVersion = baseVersion;
  }

  static Schema schema(List<String> names, long baseVersion) {
    Map<String, String> meta = new HashMap<>();
    meta.put(Permutations.BASE_VERSION, Long.toString(baseVersion));
    if (names != null) {
      meta.put(Permutations.SPLIT_NAMES, Permutations.splitNamesJson(names));
    }
    ArrowType u64 = new ArrowType.Int(64, false);
    return new Schema(List.of(Field.notNullable(Permutations.ROW_ID, u64),
        Field.notNullable(Permutations.SPLIT_ID, u64)), meta);
  }

  @Override
  public boolean loadNextBatch() throws java.io.IOException {
    while (split < plan.splits.length && position == plan.splits[split].length) {
      split++;
      position = 0;
    }
    VectorSchemaRoot root = getVectorSchemaRoot();
    if (split >= plan.splits.length) {
      root.setRowCount(0);
      return false;
    }
    long[] rows = plan.splits[split];
    int n = Math.min(BATCH, rows.length - position);
    UInt8Vector ids = (UInt8Vector) root.getVector(Permutations.ROW_ID);
    UInt8Vector splits = (UInt8Vector) root.getVector(Permutations.SPLIT_ID);
    ids.allocateNew(n);
    splits.allocateNew(n);
    for (int i = 0; i < n; i++) {
      ids.set(i, rows[position + i]);
      splits.set(i, split);
    }
    root.setRowCount(n);
    position += n;
    return true;
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {}

  @Override
  protected Schema readSchema() {
    return schema(plan.names, baseVersion);
  }

  @Override
  public void close() {
    try {
      super.close();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
