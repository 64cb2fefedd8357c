package dev.lancetorch.loader;

import static dev.lancetorch.loader.LoaderTestSupport.assertNoLiveBatchesEventually;
import static dev.lancetorch.loader.LoaderTestSupport.assertNoLoaderThreadsEventually;
import static dev.lancetorch.loader.LoaderTestSupport.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 12 items 6, 7, 16 (BatchSampler), 17: loader input validation and a prompt close. */
@Timeout(60)
class LoaderValidationTest {

  private static DataLoader<InMemorySource.TestBatch> loader(
      InMemorySource src, LoaderState resume) {
    return DataLoader.builder(src).batchSize(10).seed(7).resumeFrom(resume).build();
  }

  /** A state taken from a real loader of 100 rows in batches of 10 after 3 batches. */
  private static String stateAfterThreeBatches() {
    try (DataLoader<InMemorySource.TestBatch> l = loader(new InMemorySource(100), null)) {
      Iterator<InMemorySource.TestBatch> it = l.iterator();
      drain(it, 3);
      return l.state().toJson();
    }
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "contiguousYielded|99|contiguousYielded = 99",
        "contiguousYielded|-3|contiguousYielded = -3",
        "epoch|-1|epoch = -1",
        "numBatches|-2|numBatches = -2",
        "rank|5|rank = 5",
        "worldSize|0|worldSize = 0",
        "epoch|\"x\"|epoch is \"x\"",
        "seed|1.5|seed is 1.5",
        "numBatches|99999999999999999999|numBatches is"
      })
  void fromJsonNamesTheImpossibleField(String field, String value, String message) {
    String json =
        stateAfterThreeBatches()
            .replaceFirst("\"" + field + "\":-?\\d+", "\"" + field + "\":" + value);
    assertThat(json).contains("\"" + field + "\":" + value);
    assertThatThrownBy(() -> LoaderState.fromJson(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void fromJsonRejectsMissingFieldsAndBadBeyondLists() {
    String json = stateAfterThreeBatches();
    assertThatThrownBy(() -> LoaderState.fromJson(json.replace("\"seed\"", "\"sead\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seed is missing");
    assertThatThrownBy(
            () ->
                LoaderState.fromJson(json.replace("\"yieldedBeyond\":[]", "\"yieldedBeyond\":[2]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("yieldedBeyond");
    assertThatThrownBy(
            () ->
                LoaderState.fromJson(
                    json.replace("\"yieldedBeyond\":[]", "\"yieldedBeyond\":[7,5]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strictly increasing");
    assertThatThrownBy(() -> LoaderState.fromJson("not json"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(LoaderState.fromJson(json).toJson()).isEqualTo(json);
  }

  @Test
  void resumingAnotherLoaderNamesTheFieldThatDiffers() {
    LoaderState s = LoaderState.fromJson(stateAfterThreeBatches());
    assertThatThrownBy(
            () ->
                DataLoader.builder(new InMemorySource(100))
                    .batchSize(10)
                    .seed(8)
                    .resumeFrom(s)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seed = 7");
    assertThatThrownBy(() -> loader(new InMemorySource(200), s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("numBatches = 10")
        .hasMessageContaining("plans 20");
    assertThatThrownBy(
            () ->
                DataLoader.builder(new InMemorySource(100))
                    .batchSize(10)
                    .seed(7)
                    .distributed(1, 2)
                    .resumeFrom(s)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("worldSize = 1");
    InMemorySource src = new InMemorySource(100);
    try (DataLoader<InMemorySource.TestBatch> l = loader(src, s)) {
      assertThat(drain(l)).hasSize(7); // the valid state still resumes
    }
  }

  @Test
  void negativeTimeoutIsAnError() {
    assertThatThrownBy(
            () -> DataLoader.builder(new InMemorySource(10)).timeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
    assertThatThrownBy(
            () -> StreamingDataset.builder(new InMemorySource(10)).timeout(Duration.ofSeconds(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }

  /** Starts an epoch of a loader with this batch sampler and closes the loader. */
  private static void startEpoch(BatchSampler sampler) {
    try (DataLoader<InMemorySource.TestBatch> l =
        DataLoader.builder(new InMemorySource(20)).batchSampler(sampler).build()) {
      l.iterator();
    }
  }

  @Test
  void batchSamplerReturningNullOrBadOffsetsIsAClearError() {
    assertThatThrownBy(() -> startEpoch(offsets -> null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("BatchSampler returned null");
    List<long[]> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> startEpoch(offsets -> withNull))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("null batch at index 0");
    assertThatThrownBy(() -> startEpoch(offsets -> List.of(new long[] {3, 20})))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("offset 20");
  }

  @Test
  void closeAfterABatchTimeoutIsPrompt() throws Exception {
    InMemorySource src = new InMemorySource(100);
    CountDownLatch gate = new CountDownLatch(1);
    src.shared.gate = gate; // every fetch hangs (until interrupted)
    DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src).batchSize(10).numWorkers(2).timeout(Duration.ofMillis(200)).build();
    try {
      Iterator<InMemorySource.TestBatch> it = loader.iterator();
      assertThat(catchThrowable(it::next))
          .isInstanceOf(DataLoaderException.class)
          .hasMessageContaining("timeout");
      long t0 = System.nanoTime();
      loader.close();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1_500);
    } finally {
      gate.countDown();
    }
    assertNoLoaderThreadsEventually();
    assertThat(src.shared.openHandles.get()).isZero();
    assertNoLiveBatchesEventually(src);
  }

  @Test
  void closeReturnsPromptlyAndReportsACollateThatIgnoresInterrupts() throws Exception {
    InMemorySource src = new InMemorySource(100);
    AtomicBoolean release = new AtomicBoolean();
    CountDownLatch inCollate = new CountDownLatch(2);
    LoaderLog log = new LoaderLog();
    DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src)
            .batchSize(10)
            .numWorkers(2)
            .collate(
                b -> {
                  inCollate.countDown();
                  while (!release.get()) {
                    Thread.interrupted(); // swallows every interrupt
                    Thread.onSpinWait();
                  }
                  return b;
                })
            .build();
    try {
      loader.iterator();
      assertThat(inCollate.await(10, TimeUnit.SECONDS)).isTrue();
      long t0 = System.nanoTime();
      loader.close();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3_000);
      assertThat(log.messages())
          .anySatisfy(
              w ->
                  assertThat(w)
                      .contains("2 worker thread(s) still running")
                      .contains("lancetorch-loader-")
                      .contains("LoaderValidationTest"));
      assertThat(LoaderTestSupport.loaderThreads()).hasSize(2);
    } finally {
      release.set(true);
      log.close();
    }
    assertNoLoaderThreadsEventually();
    assertThat(src.shared.openHandles.get()).isZero();
    assertNoLiveBatchesEventually(src);
  }
}
