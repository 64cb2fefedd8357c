package dev.lancetorch.loader;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The one JSON codec of the loader states ({@link LoaderState}, {@link StreamingState}, {@link
 * PackerState}), on Jackson. Writing: {@link #object()} and the node's own setters. Reading: {@link
 * #parse} refuses text that is not one JSON object (also trailing text), keys the state does not
 * have and missing keys; each field is read as an integer of its type's range (or an array of
 * them), and the error names the state and the field. What a value must satisfy beyond its type is
 * the state's constructor's check.
 */
final class StateCodec {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final String state;
  private final ObjectNode root;
  private final String json;

  private StateCodec(String state, ObjectNode root, String json) {
    this.state = state;
    this.root = root;
    this.json = json;
  }

  /** A new JSON object to write a state into. */
  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** {@code values} as a JSON array. */
  static ArrayNode array(long[] values) {
    ArrayNode a = JSON.createArrayNode();
    for (long v : values) {
      a.add(v);
    }
    return a;
  }

  /** {@code values} as a JSON array. */
  static ArrayNode array(int[] values) {
    ArrayNode a = JSON.createArrayNode();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }

  /**
   * Parses {@code json} as the object of {@code state} (e.g. "loader state") with exactly the keys
   * {@code keys}.
   *
   * @throws IllegalArgumentException when it is not one JSON object, has a key not in {@code keys}
   *     or lacks one
   */
  static StateCodec parse(String state, String json, String... keys) {
    Objects.requireNonNull(json, "json");
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          state + " is not JSON (" + e.getOriginalMessage() + "): " + json, e);
    }
    return of(state, node, json, keys);
  }

  /** Like {@link #parse} for an object already parsed (a state nested in another). */
  static StateCodec of(String state, JsonNode node, String json, String... keys) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(state + " is not a JSON object: " + json);
    }
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!List.of(keys).contains(k)) {
        unknown.add(k);
      }
    }
    for (String k : keys) {
      if (!node.has(k)) {
        throw new IllegalArgumentException(
            state
                + " field "
                + k
                + " is missing"
                + (unknown.isEmpty() ? "" : " (unknown field(s) " + unknown + ")")
                + ": "
                + json);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          state
              + " has unknown field(s) "
              + unknown
              + " (its fields: "
              + List.of(keys)
              + "): "
              + json);
    }
    return new StateCodec(state, (ObjectNode) node, json);
  }

  /** The nested object under {@code field}. */
  JsonNode node(String field) {
    return root.get(field);
  }

  int intField(String field) {
    return (int) integer(root.get(field), field, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  long longField(String field) {
    return integer(root.get(field), field, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  long[] longArray(String field) {
    JsonNode a = array(field);
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = integer(a.get(i), field + "[" + i + "]", Long.MIN_VALUE, Long.MAX_VALUE);
    }
    return out;
  }

  int[] intArray(String field) {
    JsonNode a = array(field);
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) integer(a.get(i), field + "[" + i + "]", Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
    return out;
  }

  private JsonNode array(String field) {
    JsonNode a = root.get(field);
    if (a == null || !a.isArray()) {
      throw new IllegalArgumentException(
          state + " field " + field + " is " + a + ", not an array of integers: " + json);
    }
    return a;
  }

  private long integer(JsonNode v, String field, long min, long max) {
    if (v == null
        || !v.isIntegralNumber()
        || !v.canConvertToLong()
        || v.asLong() < min
        || v.asLong() > max) {
      throw new IllegalArgumentException(
          state
              + " field "
              + field
              + " is "
              + (v == null ? "missing" : v + ", not an integer in [" + min + ", " + max + "]")
              + ": "
              + json);
    }
    return v.asLong();
  }

  /**
   * Throws {@code IllegalArgumentException} "{state} field {field} = {value}: {rule}" unless {@code
   * ok}; the constructors' check of one field.
   */
  static void require(boolean ok, String state, String field, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(state + " field " + field + " = " + value + ": " + rule);
    }
  }
}
