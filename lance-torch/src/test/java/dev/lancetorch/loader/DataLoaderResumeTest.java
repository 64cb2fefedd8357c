package dev.lancetorch.loader;

import static dev.lancetorch.loader.LoaderTestSupport.drain;
import static dev.lancetorch.loader.LoaderTestSupport.flat;
import static dev.lancetorch.loader.LoaderTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(30)
class DataLoaderResumeTest {

  private static DataLoader.Builder<InMemorySource.TestBatch, InMemorySource.TestBatch> builder(
      int workers) {
    return DataLoader.builder(new InMemorySource(157))
        .batchSize(10)
        .shuffle(true)
        .seed(5)
        .numWorkers(workers)
        .prefetchFactor(3)
        .distributed(1, 2);
  }

  /**
   * Two epochs uninterrupted vs. stopped after k batches of epoch 0, resumed from the JSON state.
   */
  @ParameterizedTest(name = "workers={0} resumedWorkers={1} stopAfter={2}")
  @CsvSource({"0,0,3", "2,2,3", "4,2,5", "2,0,1", "2,4,7", "2,2,0"})
  void midEpochResumeEqualsUninterruptedRun(int workers, int resumedWorkers, int stopAfter) {
    List<Long> uninterrupted = new ArrayList<>();
    try (DataLoader<InMemorySource.TestBatch> loader = builder(0).build()) {
      uninterrupted.addAll(flat(drain(loader)));
      uninterrupted.addAll(flat(drain(loader)));
    }
    List<Long> resumed = new ArrayList<>();
    String json;
    try (DataLoader<InMemorySource.TestBatch> loader = builder(workers).build()) {
      resumed.addAll(flat(drain(loader.iterator(), stopAfter)));
      LoaderState s = loader.state();
      assertThat(s.epoch()).isZero();
      assertThat(s.batchesYielded()).isEqualTo(stopAfter);
      json = s.toJson();
    }
    LoaderState back = LoaderState.fromJson(json);
    try (DataLoader<InMemorySource.TestBatch> loader =
        builder(resumedWorkers).resumeFrom(back).build()) {
      assertThat(loader.state()).isEqualTo(back);
      resumed.addAll(flat(drain(loader)));
      assertThat(loader.state().epoch()).isEqualTo(1);
      resumed.addAll(flat(drain(loader)));
    }
    assertThat(resumed).isEqualTo(uninterrupted);
  }

  @Test
  void outOfOrderStateRecordsBatchesYieldedAheadAndResumesTheRest() throws Exception {
    InMemorySource src = new InMemorySource(160);
    src.shared.latencyMicros =
        o -> o[0] < 10 ? 500_000 : 0; // batch 0 slow: later batches overtake it
    List<Long> seen = new ArrayList<>();
    LoaderState s;
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(src)
            .batchSize(10)
            .numWorkers(2)
            .prefetchFactor(2)
            .inOrder(false)
            .build()) {
      seen.addAll(flat(drain(loader.iterator(), 3)));
      s = loader.state();
    }
    assertThat(s.contiguousYielded()).isZero();
    assertThat(s.yieldedBeyond()).hasSize(3);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    }
    LoaderState back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (LoaderState) in.readObject();
    }
    assertThat(back).isEqualTo(s);
    assertThat(LoaderState.fromJson(s.toJson())).isEqualTo(s);
    try (DataLoader<InMemorySource.TestBatch> loader =
        DataLoader.builder(new InMemorySource(160))
            .batchSize(10)
            .numWorkers(2)
            .resumeFrom(back)
            .build()) {
      List<Long> rest = flat(drain(loader));
      assertThat(rest).doesNotContainAnyElementsOf(seen);
      List<Long> all = new ArrayList<>(seen);
      all.addAll(rest);
      assertThat(all).containsExactlyInAnyOrderElementsOf(rows(160));
    }
  }

  @Test
  void stateAfterACompleteEpochPointsAtTheNextEpoch() {
    try (DataLoader<InMemorySource.TestBatch> loader = builder(2).build()) {
      Iterator<InMemorySource.TestBatch> it = loader.iterator();
      drain(it, Integer.MAX_VALUE);
      LoaderState s = loader.state();
      assertThat(s.epoch()).isEqualTo(1);
      assertThat(s.batchesYielded()).isZero();
      assertThat(s.numBatches()).isEqualTo(8); // ceil(157/2) = 79 rows -> 8 batches
    }
  }

  @Test
  void resumingWithAnotherConfigurationIsRefused() {
    LoaderState s;
    try (DataLoader<InMemorySource.TestBatch> loader = builder(0).build()) {
      drain(loader.iterator(), 2);
      s = loader.state();
    }
    assertThatThrownBy(() -> builder(0).batchSize(20).resumeFrom(s).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder(0).seed(6).resumeFrom(s).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
