package dev.lancetorch.loader;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Where a {@link SequencePacker} is, to store with a checkpoint: the underlying loader's state as
 * of the last document batch the packer consumed, plus the tokens it had read but not yet packed
 * into a row (with their document and position ids) and the next document id. Resuming with a
 * loader built {@code .resumeFrom(loaderState())} and {@code
 * SequencePacker.Builder.resumeFrom(this)} yields exactly the rows an uninterrupted run would still
 * have yielded: no token lost or repeated.
 *
 * @param loaderState the document loader's state
 * @param tokens pending tokens (fewer than one output batch plus one document batch)
 * @param documentIds their document ids
 * @param positions their positions in their documents
 * @param nextDocumentId the id the next document gets
 */
public record PackerState(
    LoaderState loaderState,
    long[] tokens,
    long[] documentIds,
    int[] positions,
    long nextDocumentId)
    implements Serializable {

  public PackerState {
    if (tokens.length != documentIds.length || tokens.length != positions.length) {
      throw new IllegalArgumentException(
          "pending tokens, document ids and positions differ in length");
    }
    tokens = tokens.clone();
    documentIds = documentIds.clone();
    positions = positions.clone();
  }

  @Override
  public long[] tokens() {
    return tokens.clone();
  }

  @Override
  public long[] documentIds() {
    return documentIds.clone();
  }

  @Override
  public int[] positions() {
    return positions.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PackerState s
        && s.loaderState.equals(loaderState)
        && Arrays.equals(s.tokens, tokens)
        && Arrays.equals(s.documentIds, documentIds)
        && Arrays.equals(s.positions, positions)
        && s.nextDocumentId == nextDocumentId;
  }

  @Override
  public int hashCode() {
    return loaderState.hashCode() * 31 + Arrays.hashCode(tokens);
  }

  @Override
  public String toString() {
    return "PackerState["
        + loaderState
        + ", "
        + tokens.length
        + " pending tokens, nextDocumentId="
        + nextDocumentId
        + "]";
  }
}
