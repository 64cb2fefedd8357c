package dev.lancetorch.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lancetorch.ConnectOptions;
import dev.lancetorch.Connection;
import dev.lancetorch.LanceDb;
import dev.lancetorch.Table;
import dev.lancetorch.permutation.Format;
import dev.lancetorch.permutation.ImageDecoder;
import dev.lancetorch.permutation.Permutation;
import dev.lancetorch.permutation.TensorDict;
import dev.lancetorch.torch.BridgeStats;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A {@link DataLoader}'s collate under the {@link OnTransformError} policies, as a {@link
 * StreamingDataset}'s transform: {@link ImageDecoder} over a table whose rows 7 and 23 are not
 * images.
 */
@Timeout(120)
class DataLoaderTransformErrorTest {
  static final int N = 40;
  static final Set<Long> BAD = Set.of(7L, 23L);

  @TempDir static Path dir;
  static RootAllocator allocator;
  static Connection db;
  static Table table;

  /** Row id's image: a 4 × 3 grayscale PNG whose every pixel is the id. */
  static byte[] png(long id) throws IOException {
    BufferedImage img = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 4; x++) {
        img.getRaster().setSample(x, y, 0, (int) id);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, "png", out)).isTrue();
    return out.toByteArray();
  }

  @BeforeAll
  static void createTheImages() throws IOException {
    allocator = new RootAllocator();
    db = LanceDb.connect(dir.toString(), ConnectOptions.builder().allocator(allocator).build());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long i = 0; i < N; i++) {
      byte[] img = BAD.contains(i) ? new byte[] {1, 2, 3, (byte) i} : png(i);
      rows.add(Map.of("id", i, "img", img));
    }
    table = db.createTable("images", rows);
  }

  @AfterEach
  void everyBatchReleased() {
    assertThat(BridgeStats.snapshot().liveBatches()).isZero();
  }

  @AfterAll
  static void closeTheTable() {
    assertThat(table.countRows()).isEqualTo(N); // nothing written by the reads
    table.close();
    db.close();
    allocator.close(); // throws if a buffer leaked
  }

  Permutation<TensorDict> images() {
    return Permutation.identity(table).withFormat(Format.TORCH_DICT);
  }

  /** Batches of 10 rows, images decoded by the collate. */
  static DataLoader.Builder<TensorDict, TensorDict> decoding(
      Permutation<TensorDict> p, int workers) {
    return DataLoader.builder(p)
        .batchSize(10)
        .numWorkers(workers)
        .collate(ImageDecoder.of("img").channels(1));
  }

  /**
   * The ids of the batch's decoded images, read from their pixels (no tensor made: views would keep
   * the batch alive until a GC).
   */
  static List<Long> decodedIds(TensorDict d) {
    int n = (int) d.get("img").size(0);
    assertThat(d.get("img").numel()).isEqualTo(n * 12L); // (R, 1, 3, 4)
    byte[] pixels = new byte[n * 12];
    d.get("img").data_ptr_byte().get(pixels);
    long[] rowIds = new long[n];
    d.get("id").data_ptr_long().get(rowIds);
    List<Long> ids = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      ids.add((long) pixels[r * 12 + 11]);
      assertThat(rowIds[r]).isEqualTo(ids.get(r)); // the row's own image
    }
    return ids;
  }

  @ParameterizedTest(name = "numWorkers={0} policy={1}")
  @CsvSource({"0, SKIP", "2, SKIP", "0, WARN", "2, WARN"})
  void skipDropsOnlyTheUndecodableRows(int workers, OnTransformError policy) {
    List<Long> got = new ArrayList<>();
    LoaderLog log = new LoaderLog();
    try (Permutation<TensorDict> p = images();
        DataLoader<TensorDict> loader = decoding(p, workers).onTransformError(policy).build()) {
      int batches = 0;
      for (TensorDict d : loader) {
        try (d) {
          got.addAll(decodedIds(d));
          batches++;
        }
      }
      assertThat(batches).isEqualTo(4);
      assertThat(loader.metrics().rowsSkipped()).isEqualTo(2);
      assertThat(loader.state().epoch()).isEqualTo(1);
    } finally {
      log.close();
    }
    List<Long> expected = new ArrayList<>();
    for (long i = 0; i < N; i++) {
      if (!BAD.contains(i)) {
        expected.add(i);
      }
    }
    assertThat(got).containsExactlyElementsOf(expected);
    List<String> warnings = log.messages();
    if (policy == OnTransformError.WARN) {
      assertThat(warnings)
          .hasSize(2)
          .anyMatch(m -> m.contains("offsets [7]") && m.contains("batch 0"))
          .anyMatch(m -> m.contains("offsets [23]") && m.contains("batch 2"));
    } else {
      assertThat(warnings).isEmpty();
    }
  }

  @ParameterizedTest(name = "numWorkers={0}")
  @CsvSource({"0", "2"})
  void raiseNamesTheBatchAndTheRow(int workers) {
    try (Permutation<TensorDict> p = images();
        DataLoader<TensorDict> loader = decoding(p, workers).build()) {
      List<Long> got = new ArrayList<>();
      Throwable t =
          catchThrowable(
              () -> {
                for (TensorDict d : loader) {
                  try (d) {
                    got.addAll(decodedIds(d));
                  }
                }
              });
      assertThat(t)
          .isInstanceOf(DataLoaderException.class)
          .hasMessageContaining("the transform failed")
          .hasMessageContaining("epoch 0, batch 0, offsets 0..9")
          .hasCauseInstanceOf(IllegalArgumentException.class);
      assertThat(t.getCause()).hasMessageContaining("img").hasMessageContaining("row 7");
      assertThat(((DataLoaderException) t).position().batchIndex()).isZero();
      assertThat(got).isEmpty();
      assertThat(loader.state().contiguousYielded()).isZero(); // a resumed run retries batch 0
    }
  }

  @Test
  void aBatchWhoseEveryRowFailsIsNotYieldedButCountsAsDone() {
    try (Permutation<TensorDict> p = images();
        DataLoader<TensorDict> loader =
            DataLoader.builder(p)
                .batchSize(1)
                .collate(ImageDecoder.of("img").channels(1))
                .onTransformError(OnTransformError.SKIP)
                .build()) {
      var it = loader.iterator();
      for (int i = 0; i < 7; i++) {
        it.next().close();
      }
      try (TensorDict d = it.next()) { // batch 7 (row 7) is skipped: batch 8 comes
        assertThat(decodedIds(d)).containsExactly(8L);
      }
      assertThat(loader.state().contiguousYielded()).isEqualTo(9);
    }
  }
}
