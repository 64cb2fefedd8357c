package dev.lancetorch.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sequence packing over a sharded, shuffled loader: exact rows, ids, positions; resume
 * loses/repeats nothing.
 */
@Timeout(60)
class SequencePackerTest {
  static final int SEP = -7;
  static final int L = 16;
  static final int B = 3;

  static int len(long doc) {
    return 1 + (int) ((doc * 5) % 23);
  }

  static long token(long doc, int k) {
    return doc * 100 + k;
  }

  /**
   * A jagged TORCH_DICT-like batch ({@code tok} values + {@code tok.offsets}), closed by the
   * packer.
   */
  static final class TokenDict extends LinkedHashMap<String, Tensor> implements AutoCloseable {
    static final java.util.concurrent.atomic.AtomicInteger LIVE =
        new java.util.concurrent.atomic.AtomicInteger();

    TokenDict(long[] docs, ScalarType valueType) {
      int total = 0;
      for (long d : docs) {
        total += len(d);
      }
      long[] values = new long[total];
      long[] offsets = new long[docs.length + 1];
      int p = 0;
      for (int r = 0; r < docs.length; r++) {
        for (int k = 0; k < len(docs[r]); k++) {
          values[p++] = token(docs[r], k);
        }
        offsets[r + 1] = p;
      }
      try (Tensor v = longs(values);
          Tensor o = longs(offsets)) {
        put("tok", v.to(valueType));
        put("tok.offsets", o.to(ScalarType.Int));
      }
      LIVE.incrementAndGet();
    }

    @Override
    public void close() {
      values().forEach(Tensor::close);
      clear();
      LIVE.decrementAndGet();
    }
  }

  static Tensor longs(long[] a) {
    try (TensorOptions o = new TensorOptions(ScalarType.Long);
        MemoryFormatOptional f = new MemoryFormatOptional()) {
      Tensor t = torch.empty(new long[] {a.length}, o, f);
      t.data_ptr_long().put(a, 0, a.length);
      return t;
    }
  }

  static long[] read(Tensor t) {
    long[] out = new long[(int) t.numel()];
    t.data_ptr_long().get(out);
    return out;
  }

  static DataLoader<TokenDict> loader(int workers, int rank, LoaderState resume, ScalarType type) {
    DataLoader.Builder<InMemorySource.TestBatch, TokenDict> b =
        DataLoader.builder(new InMemorySource(211))
            .batchSize(10)
            .shuffle(true)
            .seed(11)
            .numWorkers(workers)
            .distributed(rank, 2)
            .collate(
                batch -> {
                  try (batch) {
                    return new TokenDict(batch.ids, type);
                  }
                });
    return (resume == null ? b : b.resumeFrom(resume)).build();
  }

  static SequencePacker.Builder packer(DataLoader<TokenDict> loader) {
    return SequencePacker.builder(loader, "tok").sequenceLength(L).rowsPerBatch(B).separator(SEP);
  }

  /** Rows of (token, doc id, position) triples of a run, flattened. */
  static void drain(Iterable<PackedBatch> it, int max, List<long[]> out) {
    int n = 0;
    var iter = it.iterator();
    while (n < max && iter.hasNext()) {
      try (PackedBatch p = iter.next()) {
        assertThat(p.inputIds().size(0)).isEqualTo(B);
        assertThat(p.inputIds().size(1)).isEqualTo(L);
        out.add(read(p.inputIds()));
        out.add(read(p.documentIds()));
        out.add(read(p.positionIds()));
      }
      n++;
    }
  }

  static List<Long> flat(List<long[]> triples, int which) {
    List<Long> out = new ArrayList<>();
    for (int i = which; i < triples.size(); i += 3) {
      for (long x : triples.get(i)) {
        out.add(x);
      }
    }
    return out;
  }

  @Test
  void rowsAreTheDocumentsInLoaderOrderWithSeparatorsIdsAndPositions() {
    List<long[]> got = new ArrayList<>();
    List<Long> docOrder = new ArrayList<>();
    try (DataLoader<TokenDict> l = loader(0, 0, null, ScalarType.Int)) {
      for (TokenDict d : l) {
        try (d) {
          long[] v = read(d.get("tok").to(ScalarType.Long));
          long[] o = read(d.get("tok.offsets").to(ScalarType.Long));
          for (int r = 0; r + 1 < o.length; r++) {
            docOrder.add(v[(int) o[r]] / 100);
          }
        }
      }
    }
    try (DataLoader<TokenDict> l = loader(2, 0, null, ScalarType.Int)) {
      drain(packer(l).build(), Integer.MAX_VALUE, got);
    }
    List<Long> expected = new ArrayList<>();
    for (long doc : docOrder) {
      for (int k = 0; k < len(doc); k++) {
        expected.add(token(doc, k));
      }
      expected.add((long) SEP);
    }
    List<Long> tokens = flat(got, 0);
    int whole = expected.size() / (B * L) * (B * L);
    assertThat(tokens)
        .isEqualTo(expected.subList(0, whole)); // the remainder (< one batch) is dropped
    List<Long> docs = flat(got, 1);
    List<Long> pos = flat(got, 2);
    for (int i = 0; i < tokens.size(); i++) {
      long doc = docOrder.get(docs.get(i).intValue());
      long p = pos.get(i);
      assertThat(tokens.get(i)).isEqualTo(p == len(doc) ? SEP : token(doc, (int) p));
    }
    assertThat(TokenDict.LIVE.get()).isZero();
  }

  @ParameterizedTest(name = "stopAfter={0} workers={1}")
  @CsvSource({"1,0", "4,2", "7,2", "0,2"})
  void resumeLosesAndRepeatsNoToken(int stopAfter, int workers) throws Exception {
    List<long[]> uninterrupted = new ArrayList<>();
    try (DataLoader<TokenDict> l = loader(0, 1, null, ScalarType.Long)) {
      SequencePacker p = packer(l).padRemainder(0).build();
      drain(p, Integer.MAX_VALUE, uninterrupted);
      drain(p, Integer.MAX_VALUE, uninterrupted); // a second epoch
    }
    List<long[]> resumed = new ArrayList<>();
    byte[] saved;
    try (DataLoader<TokenDict> l = loader(workers, 1, null, ScalarType.Long)) {
      SequencePacker p = packer(l).padRemainder(0).build();
      drain(p, stopAfter, resumed);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(p.state());
      }
      saved = bytes.toByteArray();
    }
    PackerState s;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(saved))) {
      s = (PackerState) in.readObject();
    }
    try (DataLoader<TokenDict> l = loader(workers, 1, s.loaderState(), ScalarType.Long)) {
      SequencePacker p = packer(l).padRemainder(0).resumeFrom(s).build();
      drain(p, Integer.MAX_VALUE, resumed);
      drain(p, Integer.MAX_VALUE, resumed);
    }
    for (int w = 0; w < 3; w++) {
      assertThat(flat(resumed, w)).isEqualTo(flat(uninterrupted, w));
    }
    assertThat(flat(uninterrupted, 1)).contains(-1L); // the padded last batch of each epoch
    assertThat(TokenDict.LIVE.get()).isZero();
  }

  @Test
  void ranksPackDisjointDocuments() {
    Set<Long> seen = new HashSet<>();
    for (int rank = 0; rank < 2; rank++) {
      List<long[]> got = new ArrayList<>();
      try (DataLoader<TokenDict> l = loader(0, rank, null, ScalarType.Int)) {
        drain(packer(l).build(), Integer.MAX_VALUE, got);
      }
      Set<Long> mine = new HashSet<>();
      for (long t : flat(got, 0)) {
        if (t != SEP) {
          mine.add(t / 100);
        }
      }
      assertThat(java.util.Collections.disjoint(mine, seen)).as("ranks share no document").isTrue();
      seen.addAll(mine);
    }
    assertThat(seen.size()).isGreaterThan(150);
  }

  @Test
  void errorsNameTheColumn() {
    try (DataLoader<TokenDict> l = loader(0, 0, null, ScalarType.Float)) {
      SequencePacker p = packer(l).build();
      assertThatThrownBy(() -> p.iterator().hasNext())
          .hasMessageContaining("column 'tok' holds Float values");
    }
    try (DataLoader<TokenDict> l = loader(0, 0, null, ScalarType.Int)) {
      SequencePacker p = SequencePacker.builder(l, "nope").build();
      assertThatThrownBy(() -> p.iterator().hasNext())
          .hasMessageContaining("column 'nope' is not in the batch");
    }
    assertThatThrownBy(() -> SequencePacker.builder(null, "x"))
        .isInstanceOf(NullPointerException.class);
    try (DataLoader<TokenDict> l = loader(0, 0, null, ScalarType.Int)) {
      assertThatThrownBy(() -> packer(l).sequenceLength(0))
          .hasMessageContaining("sequence length must be > 0");
      PackerState other =
          new PackerState(
              new LoaderState(3, 11, 0, new long[0], 11, 0, 2),
              new long[0],
              new long[0],
              new int[0],
              0);
      assertThatThrownBy(() -> packer(l).resumeFrom(other).build())
          .hasMessageContaining("resumeFrom");
    }
    assertThat(TokenDict.LIVE.get()).isZero();
  }
}
