package dev.lancetorch.loader;

import dev.lancetorch.torch.OwnedTensors;
import org.bytedeco.pytorch.Tensor;

/**
 * One batch of packed sequences ({@link SequencePacker}): three {@code (B, L)} int64 tensors — the
 * token ids, the id of the document each token belongs to (the separator after a document belongs
 * to it; -1 marks padding of a final partial batch) and each token's position in its document (0
 * for padding). Tokens of one row with equal document ids form one document: {@code doc[:, :, None]
 * == doc[:, None, :]} is the block-diagonal attention mask.
 *
 * <p>Ownership ({@link OwnedTensors}): the tensors are fresh copies <em>owned</em> by this batch
 * and freed by {@link #close()} (idempotent); accessors after close throw {@link
 * IllegalStateException}.
 */
public final class PackedBatch extends OwnedTensors {
  /** Takes ownership of the three tensors. */
  PackedBatch(Tensor inputIds, Tensor documentIds, Tensor positionIds) {
    super("PackedBatch", inputIds, documentIds, positionIds);
  }

  /** {@code (B, L)} token ids; <em>borrowed</em>. */
  public Tensor inputIds() {
    return tensor(0);
  }

  /** {@code (B, L)} document ids; <em>borrowed</em>. */
  public Tensor documentIds() {
    return tensor(1);
  }

  /** {@code (B, L)} positions within documents; <em>borrowed</em>. */
  public Tensor positionIds() {
    return tensor(2);
  }
}
