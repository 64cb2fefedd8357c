package dev.lancetorch.internal.permutation;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.UInt8Vector;

/**
 * Streams a {@link PermutationPlan} held in memory as permutation-table batches, split after split.
 */
public final class PermutationTableReader extends PermutationRowsReader {
  private static final int BATCH = 1 << 20;
  private final PermutationPlan plan;
  private int split;
  private int position;

  public PermutationTableReader(BufferAllocator allocator, PermutationPlan plan, long baseVersion) {
    super(allocator, plan.names, plan.splits.length, baseVersion);
    this.plan = plan;
  }

  @Override
  int fill(UInt8Vector ids, UInt8Vector splits) {
    while (split < plan.splits.length && position == plan.splits[split].length) {
      split++;
      position = 0;
    }
    if (split >= plan.splits.length) {
      return 0;
    }
    int n = fillSplit(plan.splits[split], position, BATCH, split, ids, splits);
    position += n;
    return n;
  }
}
