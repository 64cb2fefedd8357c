package dev.lancetorch.loader;

import org.bytedeco.pytorch.Tensor;

/**
 * One batch of packed sequences ({@link SequencePacker}): three {@code (B, L)} int64 tensors — the
 * token ids, the id of the document each token belongs to (the separator after a document belongs
 * to it; -1 marks padding of a final partial batch) and each token's position in its document (0
 * for padding). Tokens of one row with equal document ids form one document: {@code doc[:, :, None]
 * == doc[:, None, :]} is the block-diagonal attention mask.
 *
 * <p>Ownership: the tensors are fresh copies <em>owned</em> by this batch and freed by {@link
 * #close()} (idempotent); accessors after close throw {@link IllegalStateException}.
 */
public final class PackedBatch implements AutoCloseable {
  private Tensor inputIds;
  private Tensor documentIds;
  private Tensor positionIds;

  PackedBatch(Tensor inputIds, Tensor documentIds, Tensor positionIds) {
    this.inputIds = inputIds;
    this.documentIds = documentIds;
    this.positionIds = positionIds;
  }

  /** {@code (B, L)} token ids; <em>borrowed</em>. */
  public synchronized Tensor inputIds() {
    live();
    return inputIds;
  }

  /** {@code (B, L)} document ids; <em>borrowed</em>. */
  public synchronized Tensor documentIds() {
    live();
    return documentIds;
  }

  /** {@code (B, L)} positions within documents; <em>borrowed</em>. */
  public synchronized Tensor positionIds() {
    live();
    return positionIds;
  }

  private void live() {
    if (inputIds == null) {
      throw new IllegalStateException("PackedBatch is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (inputIds != null) {
      inputIds.close();
      documentIds.close();
      positionIds.close();
      inputIds = null;
      documentIds = null;
      positionIds = null;
    }
  }
}
