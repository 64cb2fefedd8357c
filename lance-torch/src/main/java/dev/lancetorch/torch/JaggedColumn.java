package dev.lancetorch.torch;

import org.bytedeco.pytorch.Tensor;

/**
 * A variable-length column ({@code list<numeric>}, {@code large_list<numeric>}, {@code binary},
 * {@code large_binary}, {@code utf8}, {@code large_utf8}) in the jagged layout of torch's nested
 * tensors: {@link #values()} is the 1-D tensor of all items in row order ({@code uint8} for bytes),
 * {@link #offsets()} the {@code (R + 1)} int32 (int64 for the {@code large_} types) tensor where
 * row {@code r} is {@code values[offsets[r] : offsets[r + 1]]}, with {@code offsets[0] == 0} and
 * {@code offsets[R] == values.size(0)} (what {@code torch.nested.nested_tensor_from_jagged(values,
 * offsets)} takes).
 *
 * <p>Zero-copy: {@code values} views the Arrow child (or data) buffer; {@code offsets} views the
 * Arrow offsets buffer when the first row's offset is 0 and is a rebased copy of the R + 1 offsets
 * otherwise (sliced arrays). Bool items and null-filled values are copies. See {@code
 * lt_batch_column_jagged} in {@code lance_torch.h}.
 *
 * <p>Ownership ({@link OwnedTensors}): both tensors are <em>owned</em> by this object and freed by
 * {@link #close()} (idempotent); they keep the Arrow batch alive on their own. Accessors after
 * close throw {@link IllegalStateException}; to keep a tensor past close, copy its handle ({@code
 * new Tensor(t)}), which you then own.
 */
public final class JaggedColumn extends OwnedTensors {
  /** Takes ownership of both tensors. */
  JaggedColumn(Tensor values, Tensor offsets) {
    super("JaggedColumn", values, offsets);
  }

  /** The items of every row, concatenated; <em>borrowed</em> (valid until close). */
  public Tensor values() {
    return tensor(0);
  }

  /** The (R + 1) row offsets into {@link #values()}; <em>borrowed</em> (valid until close). */
  public Tensor offsets() {
    return tensor(1);
  }

  /** Number of rows R. */
  public long numRows() {
    return tensor(1).size(0) - 1;
  }
}
