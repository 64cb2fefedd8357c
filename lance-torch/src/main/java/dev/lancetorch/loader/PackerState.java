package dev.lancetorch.loader;

import com.fasterxml.jackson.databind.node.ObjectNode;
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

  static final String STATE = "packer state";
  private static final String[] KEYS = {
    "loaderState", "tokens", "documentIds", "positions", "nextDocumentId"
  };

  /**
   * @throws IllegalArgumentException naming the field, when a value is impossible in itself: a
   *     missing array or loader state, arrays of different lengths, a negative {@code
   *     nextDocumentId}, document ids not non-decreasing within {@code [0, nextDocumentId)}, a
   *     negative position
   */
  public PackerState {
    require(loaderState != null, "loaderState", null, "must be a loader state");
    require(tokens != null, "tokens", null, "must be an array");
    require(documentIds != null, "documentIds", null, "must be an array");
    require(positions != null, "positions", null, "must be an array");
    tokens = tokens.clone();
    documentIds = documentIds.clone();
    positions = positions.clone();
    require(
        documentIds.length == tokens.length,
        "documentIds",
        documentIds.length + " entries",
        "must have one per pending token (" + tokens.length + ")");
    require(
        positions.length == tokens.length,
        "positions",
        positions.length + " entries",
        "must have one per pending token (" + tokens.length + ")");
    require(nextDocumentId >= 0, "nextDocumentId", nextDocumentId, "must be >= 0");
    long previous = 0;
    for (int i = 0; i < documentIds.length; i++) {
      long d = documentIds[i];
      require(
          d >= previous && d < nextDocumentId,
          "documentIds[" + i + "]",
          d,
          "must be non-decreasing document ids in [0, nextDocumentId = " + nextDocumentId + ")");
      previous = d;
      require(positions[i] >= 0, "positions[" + i + "]", positions[i], "must be >= 0");
    }
  }

  private static void require(boolean ok, String field, Object value, String rule) {
    StateCodec.require(ok, STATE, field, value, rule);
  }

  /**
   * Compact JSON: {@code {"loaderState":{...LoaderState.toJson()...},"tokens":[...],
   * "documentIds":[...],"positions":[...],"nextDocumentId":n}}.
   */
  public String toJson() {
    ObjectNode o = StateCodec.object();
    o.set("loaderState", loaderState.json());
    o.set("tokens", StateCodec.array(tokens));
    o.set("documentIds", StateCodec.array(documentIds));
    o.set("positions", StateCodec.array(positions));
    return o.put("nextDocumentId", nextDocumentId).toString();
  }

  /**
   * Parses {@link #toJson()}'s output.
   *
   * @throws IllegalArgumentException naming the field (of this state or of its loader state) that
   *     is missing, unknown, not an integer of the right range, or impossible; also for text that
   *     is not one JSON object
   */
  public static PackerState fromJson(String json) {
    StateCodec c = StateCodec.parse(STATE, json, KEYS);
    LoaderState loader;
    try {
      loader =
          LoaderState.fromJson(
              StateCodec.of(LoaderState.STATE, c.node("loaderState"), json, LoaderState.KEYS));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(STATE + " field loaderState: " + e.getMessage(), e);
    }
    return new PackerState(
        loader,
        c.longArray("tokens"),
        c.longArray("documentIds"),
        c.intArray("positions"),
        c.longField("nextDocumentId"));
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
