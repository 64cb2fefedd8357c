package dev.lancetorch.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 24 item 5, issue 23 item 4: one Jackson codec for the three loader states, each validated
 * field by field with the field named; garbage, extra and missing keys refused.
 */
@Timeout(60)
class LoaderStateCodecTest {
  private static final String STREAMING =
      "{\"epoch\":1,\"shuffleSeed\":7,\"numRows\":100,\"rowsConsumed\":[10,-1,20,0]}";

  @Test
  void streamingStateRoundTripsInAnyKeyOrder() {
    StreamingState s = StreamingState.fromJson(STREAMING);
    assertThat(s).isEqualTo(new StreamingState(1, 7, 100, new long[] {10, -1, 20, 0}));
    assertThat(s.toJson()).isEqualTo(STREAMING);
    StreamingState reordered =
        StreamingState.fromJson(
            "{ \"rowsConsumed\": [10, -1, 20, 0], \"numRows\": 100, \"epoch\": 1,"
                + " \"shuffleSeed\": 7 }");
    assertThat(reordered).isEqualTo(s);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "garbage around|x" + STREAMING + "y|not JSON",
        "trailing object|" + STREAMING + "{}|not JSON",
        "extra key|{\"epoch\":1,\"shuffleSeed\":7,\"numRows\":100,\"rowsConsumed\":[1],\"x\":2}"
            + "|unknown field(s) [x]",
        "missing key|{\"epoch\":1,\"shuffleSeed\":7,\"rowsConsumed\":[1]}|field numRows is missing",
        "negative epoch|{\"epoch\":-5,\"shuffleSeed\":7,\"numRows\":100,\"rowsConsumed\":[1]}"
            + "|field epoch = -5",
        "impossible progress|{\"epoch\":0,\"shuffleSeed\":7,\"numRows\":100,"
            + "\"rowsConsumed\":[50,51]}|field rowsConsumed[1] = 51",
        "below -1|{\"epoch\":0,\"shuffleSeed\":7,\"numRows\":100,\"rowsConsumed\":[-2]}"
            + "|field rowsConsumed[0] = -2",
        "no split|{\"epoch\":0,\"shuffleSeed\":7,\"numRows\":100,\"rowsConsumed\":[]}"
            + "|field rowsConsumed = []",
        "negative rows|{\"epoch\":0,\"shuffleSeed\":7,\"numRows\":-4,\"rowsConsumed\":[-1]}"
            + "|field numRows = -4",
        "not an integer|{\"epoch\":0.5,\"shuffleSeed\":7,\"numRows\":4,\"rowsConsumed\":[1]}"
            + "|field epoch is 0.5",
        "not an array|{\"epoch\":0,\"shuffleSeed\":7,\"numRows\":4,\"rowsConsumed\":3}"
            + "|field rowsConsumed is 3",
        "string entry|{\"epoch\":0,\"shuffleSeed\":7,\"numRows\":4,\"rowsConsumed\":[\"1\"]}"
            + "|field rowsConsumed[0] is \"1\"",
        "not an object|[1,2]|not a JSON object",
        "duplicate key|{\"epoch\":0,\"epoch\":1,\"shuffleSeed\":7,\"numRows\":4,"
            + "\"rowsConsumed\":[1]}|not JSON"
      })
  void streamingStateRefusesWhatItCannotBe(String what, String json, String message) {
    assertThatThrownBy(() -> StreamingState.fromJson(json))
        .as(what)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streaming state")
        .hasMessageContaining(message);
  }

  @Test
  void impossibleStreamingStatesAreRefusedAtConstructionAndDeserialization() throws Exception {
    assertThatThrownBy(() -> new StreamingState(-5, 0, 10, new long[] {0}))
        .hasMessageContaining("field epoch = -5");
    assertThatThrownBy(() -> new StreamingState(0, 0, 10, new long[] {0, 6}))
        .hasMessageContaining("field rowsConsumed[1] = 6");
    assertThatThrownBy(() -> new StreamingState(0, 0, 10, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field rowsConsumed");
    // Java deserialization runs the record's constructor: a tampered stream is refused too
    byte[] bytes = serialize(new StreamingState(0, 0, 10, new long[] {5, 5}));
    assertThat(deserialize(bytes)).isEqualTo(new StreamingState(0, 0, 10, new long[] {5, 5}));
  }

  @Test
  void streamingDatasetRefusesANegativeEpochAndAStateForMoreRows() {
    InMemorySource src = new InMemorySource(40);
    try (StreamingDataset<InMemorySource.TestBatch> ds =
        StreamingDataset.builder(src).numSplits(2).readBatchSize(5).build()) {
      assertThatThrownBy(() -> ds.setEpoch(-1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("epoch must be >= 0, got -1");
    }
    StreamingState of100 = new StreamingState(0, 0, 100, new long[] {30, 30});
    assertThatThrownBy(
            () ->
                StreamingDataset.builder(new InMemorySource(40))
                    .numSplits(2)
                    .resumeFrom(of100)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row count");
  }

  @Test
  void loaderStateRefusesExtraKeysAndTrailingText() {
    String json = new LoaderState(1, 7, 2, new long[] {4}, 10, 0, 1).toJson();
    assertThat(LoaderState.fromJson(json).toJson()).isEqualTo(json);
    assertThatThrownBy(() -> LoaderState.fromJson(json.replace("{", "{\"extra\":1,")))
        .hasMessageContaining("loader state has unknown field(s) [extra]");
    assertThatThrownBy(() -> LoaderState.fromJson(json + "garbage"))
        .hasMessageContaining("loader state is not JSON");
  }

  @Test
  void loaderStateOfAnotherRandomOrderIsRefused() {
    String json = new LoaderState(1, 7, 2, new long[] {4}, 10, 0, 1).toJson();
    assertThat(json).endsWith(",\"orderVersion\":2}");
    // written before the keyed shuffle (a Fisher-Yates order): no orderVersion
    String before = json.replace(",\"orderVersion\":2", "");
    assertThatThrownBy(() -> LoaderState.fromJson(before))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field orderVersion is missing");
    assertThatThrownBy(() -> LoaderState.fromJson(json.replace(":2}", ":1}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("orderVersion")
        .hasMessageContaining("Sampler.random() order is version 2");
  }

  @Test
  void packerStateRoundTripsThroughJson() throws Exception {
    InMemorySource src = new InMemorySource(30);
    LoaderState ls;
    try (DataLoader<InMemorySource.TestBatch> l = DataLoader.builder(src).batchSize(10).build()) {
      Iterator<InMemorySource.TestBatch> it = l.iterator();
      it.next().close();
      ls = l.state();
    }
    PackerState p =
        new PackerState(ls, new long[] {5, 6, 7}, new long[] {3, 3, 4}, new int[] {0, 1, 0}, 5);
    String json = p.toJson();
    assertThat(json)
        .startsWith("{\"loaderState\":" + ls.toJson() + ",\"tokens\":[5,6,7]")
        .endsWith("\"positions\":[0,1,0],\"nextDocumentId\":5}");
    assertThat(PackerState.fromJson(json)).isEqualTo(p);
    assertThat(deserialize(serialize(p))).isEqualTo(p);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "lengths differ|\"documentIds\":[3,3,4]|\"documentIds\":[3,3]|field documentIds = 2"
            + " entries",
        "id beyond next|\"documentIds\":[3,3,4]|\"documentIds\":[3,3,5]"
            + "|field documentIds[2] = 5",
        "ids decrease|\"documentIds\":[3,3,4]|\"documentIds\":[3,2,4]|field documentIds[1] = 2",
        "negative position|\"positions\":[0,1,0]|\"positions\":[0,-1,0]|field positions[1] = -1",
        "negative next id|\"nextDocumentId\":5|\"nextDocumentId\":-1|field nextDocumentId = -1",
        "extra key|\"nextDocumentId\":5|\"nextDocumentId\":5,\"x\":0|unknown field(s) [x]",
        "missing key|,\"tokens\":[5,6,7]||field tokens is missing",
        "bad nested state|\"epoch\":0|\"epoch\":-2|loader state field epoch = -2",
        "nested extra key|\"epoch\":0|\"epoch\":0,\"y\":1|loaderState: loader state has unknown",
      })
  void packerStateRefusesWhatItCannotBe(String what, String from, String to, String message) {
    LoaderState ls = new LoaderState(0, 1, 1, new long[0], 3, 0, 1);
    String json =
        new PackerState(ls, new long[] {5, 6, 7}, new long[] {3, 3, 4}, new int[] {0, 1, 0}, 5)
            .toJson();
    assertThat(json).contains(from);
    String bad = json.replace(from, to == null ? "" : to);
    assertThatThrownBy(() -> PackerState.fromJson(bad))
        .as(what)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("packer state")
        .hasMessageContaining(message);
  }

  private static byte[] serialize(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static Object deserialize(byte[] b) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
      return in.readObject();
    }
  }
}
