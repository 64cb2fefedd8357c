package dev.lancetorch.permutation;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * A batch as named column tensors ({@link Format#TORCH_DICT}): 1-D for scalar columns, (R, D) for
 * FixedSizeList columns, each a zero-copy view of the Arrow batch.
 *
 * <p><b>Variable-length columns</b> ({@code list<numeric>}, {@code large_list}, {@code binary},
 * {@code utf8} and their {@code large_} forms) give two entries, the jagged layout of torch's
 * nested tensors: {@code "col"} → the 1-D values (zero-copy; {@code uint8} for bytes) and {@code
 * "col.offsets"} → the (R + 1) offsets, row r being {@code values[offsets[r] : offsets[r + 1]]}
 * ({@link #offsets(String)}). Columns padded by {@link Format#torchDict(java.util.Map)} give {@code
 * "col"} → (R, L), {@code "col.lengths"} → (R) int64 and {@code "col.mask"} → (R, L) bool. The same
 * layout as {@code lt_batch_column_jagged} / {@code lt_batch_column_padded} in the C API and {@link
 * dev.lancetorch.torch.TorchBatch#dictWithOffsets}.
 *
 * <p><b>Ownership:</b> the dict <em>owns</em> its tensors; {@link #close()} frees them (the Arrow
 * batch is released when the last tensor that uses it is freed). A tensor you want to keep past
 * close: copy the handle ({@code new Tensor(t)}), which you then own. Closing twice is safe;
 * reading after close throws {@link IllegalStateException}.
 */
public final class TensorDict extends AbstractMap<String, Tensor> implements AutoCloseable {
  private Map<String, Tensor> tensors;

  /** Takes ownership of the tensors. */
  TensorDict(LinkedHashMap<String, Tensor> tensors) {
    this.tensors = Collections.unmodifiableMap(tensors);
  }

  private Map<String, Tensor> open() {
    if (tensors == null) {
      throw new IllegalStateException("TensorDict is closed");
    }
    return tensors;
  }

  /** The tensor of a column, <em>borrowed</em> (valid until close). */
  @Override
  public Tensor get(Object column) {
    Tensor t = open().get(column);
    if (t == null) {
      throw new IllegalArgumentException("no column '" + column + "'; columns: " + open().keySet());
    }
    return t;
  }

  /**
   * The offsets of a variable-length column ({@code get(column + ".offsets")}), <em>borrowed</em>.
   */
  public Tensor offsets(String column) {
    return get(column + dev.lancetorch.torch.TorchBatch.OFFSETS_SUFFIX);
  }

  @Override
  public Set<Entry<String, Tensor>> entrySet() {
    return open().entrySet();
  }

  /** Hands the tensors to the caller (who then owns them) and leaves this dict closed. */
  LinkedHashMap<String, Tensor> release() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>(open());
    tensors = null;
    return out;
  }

  @Override
  public void close() {
    if (tensors != null) {
      tensors.values().forEach(Tensor::close);
      tensors = null;
    }
  }
}
