package dev.lancetorch.loader;

import dev.lancetorch.internal.jni.TensorText;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Sequence packing for language-model training: the documents of a token column (a variable-length
 * column of a {@code TORCH_DICT} loader: {@code col} values + {@code col.offsets}) are concatenated
 * in the loader's order, each followed by the separator id, and cut into rows of exactly {@code L}
 * tokens, {@code B} rows per {@link PackedBatch}, with the document id and the position in its
 * document of every token. Documents longer than a row continue on the next row (same document id,
 * positions going on).
 *
 * <p>Deterministic for the loader's seed (with an in-order loader, the default), rank-sharded as
 * the loader is (each rank packs its own documents), and resumable: {@link #state()} is the
 * loader's state as of the last document batch read plus the tokens read but not yet packed, and a
 * packer built {@code .resumeFrom(state)} over a loader built {@code
 * .resumeFrom(state.loaderState())} yields exactly the remaining rows — no token lost or repeated.
 * At the end of an epoch the tokens that do not fill a whole batch are dropped, or, with {@link
 * Builder#padRemainder(long)}, given as a last batch padded with that id (document id -1).
 *
 * <p>Threading: one thread at a time. The loader is <em>borrowed</em> (not closed here); each
 * document batch is closed after it is read. Packing reads the token tensors into Java arrays once
 * per document batch (one bulk copy) and writes each output tensor with one bulk copy.
 */
public final class SequencePacker implements Iterable<PackedBatch> {
  private final DataLoader<? extends Map<String, Tensor>> loader;
  private final String column;
  private final int length;
  private final int rows;
  private final boolean hasSeparator;
  private final long separator;
  private final boolean padRemainder;
  private final long padId;

  private long[] tokens = new long[0];
  private long[] documents = new long[0];
  private int[] positions = new int[0];
  private int pending;
  private long nextDocument;
  private LoaderState loaderState;

  private SequencePacker(Builder b) {
    this.loader = b.loader;
    this.column = b.column;
    this.length = b.length;
    this.rows = b.rows;
    this.hasSeparator = b.hasSeparator;
    this.separator = b.separator;
    this.padRemainder = b.padRemainder;
    this.padId = b.padId;
    this.loaderState = loader.state();
    if (b.resume != null) {
      PackerState s = b.resume;
      if (!s.loaderState().equals(loaderState)) {
        throw new IllegalArgumentException(
            "the loader is at "
                + loaderState
                + " but the packer state was taken at "
                + s.loaderState()
                + "; build the loader with resumeFrom(state.loaderState())");
      }
      tokens = s.tokens();
      documents = s.documentIds();
      positions = s.positions();
      pending = tokens.length;
      nextDocument = s.nextDocumentId();
    }
  }

  /** A packer of {@code column} (a list of integer tokens) from {@code loader} (borrowed). */
  public static Builder builder(DataLoader<? extends Map<String, Tensor>> loader, String column) {
    return new Builder(loader, column);
  }

  /** The packed batches of the loader's next epoch. */
  @Override
  public Iterator<PackedBatch> iterator() {
    Iterator<? extends Map<String, Tensor>> docs = loader.iterator();
    return new Iterator<>() {
      private boolean done;

      @Override
      public boolean hasNext() {
        if (done) {
          return false;
        }
        long need = (long) rows * length;
        while (pending < need && docs.hasNext()) {
          read(docs.next());
          loaderState = loader.state();
        }
        if (pending >= need || (padRemainder && pending > 0 && !docs.hasNext())) {
          return true;
        }
        pending = 0; // the epoch's remainder is dropped
        loaderState = loader.state();
        done = true;
        return false;
      }

      @Override
      public PackedBatch next() {
        if (!hasNext()) {
          throw new NoSuchElementException("no more packed batches");
        }
        return emit();
      }
    };
  }

  /** Where this packer is; see {@link PackerState}. */
  public PackerState state() {
    return new PackerState(
        loaderState,
        Arrays.copyOf(tokens, pending),
        Arrays.copyOf(documents, pending),
        Arrays.copyOf(positions, pending),
        nextDocument);
  }

  private void read(Map<String, Tensor> batch) {
    try {
      Tensor values = batch.containsKey(column) ? batch.get(column) : null;
      Tensor offsets =
          batch.containsKey(column + ".offsets") ? batch.get(column + ".offsets") : null;
      if (values == null || offsets == null) {
        throw new IllegalArgumentException(
            "SequencePacker: column '"
                + column
                + "' "
                + (values == null ? "is not in the batch" : "is " + TensorText.describe(values))
                + ", not a list column of token ids (a list<int> column arrives as '"
                + column
                + "' values + '"
                + column
                + ".offsets' in Format.TORCH_DICT, unpadded); keys: "
                + batch.keySet());
      }
      ScalarType t = values.scalar_type().intern();
      if (t == ScalarType.Float
          || t == ScalarType.Double
          || t == ScalarType.Half
          || t == ScalarType.Bool) {
        throw new IllegalArgumentException(
            "column '" + column + "' holds " + t + " values, not integer token ids");
      }
      long[] v = toLongs(values);
      long[] o = toLongs(offsets);
      long added = v.length + (hasSeparator ? o.length - 1 : 0);
      if (pending + added > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException(
            "column '"
                + column
                + "': "
                + (pending + added)
                + " pending tokens, beyond int32; use smaller document batches");
      }
      reserve((int) (pending + added));
      for (int r = 0; r + 1 < o.length; r++) {
        int n = (int) (o[r + 1] - o[r]);
        System.arraycopy(v, (int) o[r], tokens, pending, n);
        Arrays.fill(documents, pending, pending + n + (hasSeparator ? 1 : 0), nextDocument);
        for (int k = 0; k < n; k++) {
          positions[pending + k] = k;
        }
        pending += n;
        if (hasSeparator) {
          tokens[pending] = separator;
          positions[pending] = n;
          pending++;
        }
        nextDocument++;
      }
    } finally {
      if (batch instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing a document batch failed", e);
        }
      }
    }
  }

  private static long[] toLongs(Tensor t) {
    long[] out = new long[Math.toIntExact(t.numel())];
    if (out.length == 0) {
      return out; // an empty tensor's data pointer is null
    }
    try (Tensor c = t.to(ScalarType.Long);
        Tensor k = c.contiguous()) {
      k.data_ptr_long().get(out);
    }
    return out;
  }

  private void reserve(int n) {
    if (tokens.length < n) {
      int cap = (int) Math.min(Integer.MAX_VALUE - 16, Math.max(n, 2L * tokens.length));
      tokens = Arrays.copyOf(tokens, cap);
      documents = Arrays.copyOf(documents, cap);
      positions = Arrays.copyOf(positions, cap);
    }
  }

  private PackedBatch emit() {
    int n = rows * length;
    int real = Math.min(n, pending);
    long[] ids = Arrays.copyOf(tokens, n);
    long[] docs = Arrays.copyOf(documents, n);
    long[] pos = new long[n];
    for (int i = 0; i < real; i++) {
      pos[i] = positions[i];
    }
    Arrays.fill(ids, real, n, padId);
    Arrays.fill(docs, real, n, -1L);
    System.arraycopy(tokens, real, tokens, 0, pending - real);
    System.arraycopy(documents, real, documents, 0, pending - real);
    System.arraycopy(positions, real, positions, 0, pending - real);
    pending -= real;
    Tensor a = tensor(ids);
    try {
      Tensor b = tensor(docs);
      try {
        return new PackedBatch(a, b, tensor(pos));
      } catch (RuntimeException | Error e) {
        b.close();
        throw e;
      }
    } catch (RuntimeException | Error e) {
      a.close();
      throw e;
    }
  }

  private Tensor tensor(long[] data) {
    try (TensorOptions o = new TensorOptions(ScalarType.Long);
        MemoryFormatOptional f = new MemoryFormatOptional()) {
      Tensor t = torch.empty(new long[] {rows, length}, o, f);
      t.data_ptr_long().put(data, 0, data.length);
      return t;
    }
  }

  /** Configures a {@link SequencePacker}. */
  public static final class Builder {
    private final DataLoader<? extends Map<String, Tensor>> loader;
    private final String column;
    private int length = 2048;
    private int rows = 8;
    private boolean hasSeparator;
    private long separator;
    private boolean padRemainder;
    private long padId;
    private PackerState resume;

    private Builder(DataLoader<? extends Map<String, Tensor>> loader, String column) {
      this.loader = Objects.requireNonNull(loader, "loader");
      this.column = Objects.requireNonNull(column, "column");
    }

    /** Tokens per row L (default 2048). */
    public Builder sequenceLength(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("sequence length must be > 0, got " + v);
      }
      length = v;
      return this;
    }

    /** Rows per batch B (default 8). */
    public Builder rowsPerBatch(int v) {
      if (v <= 0) {
        throw new IllegalArgumentException("rows per batch must be > 0, got " + v);
      }
      rows = v;
      return this;
    }

    /** The id put after every document (default: none). */
    public Builder separator(long id) {
      hasSeparator = true;
      separator = id;
      return this;
    }

    /**
     * Give the tokens left at the end of an epoch as a last batch padded with {@code id} (default:
     * dropped).
     */
    public Builder padRemainder(long id) {
      padRemainder = true;
      padId = id;
      return this;
    }

    /**
     * Continue from a {@link SequencePacker#state()} (the loader must be resumed from its loader
     * state).
     */
    public Builder resumeFrom(PackerState v) {
      resume = v;
      return this;
    }

    /**
     * @throws IllegalArgumentException when B × L is beyond int32 or the loader is not at the
     *     resume state
     */
    public SequencePacker build() {
      if ((long) rows * length > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException(
            "rows per batch × sequence length = " + ((long) rows * length) + " is beyond int32");
      }
      return new SequencePacker(this);
    }
  }
}
