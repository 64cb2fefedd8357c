package dev.lancetorch.permutation;

import static dev.lancetorch.torch.TorchBatch.LENGTHS_SUFFIX;
import static dev.lancetorch.torch.TorchBatch.MASK_SUFFIX;
import static dev.lancetorch.torch.TorchBatch.OFFSETS_SUFFIX;

import dev.lancetorch.internal.read.TensorRechunker;
import dev.lancetorch.torch.NullFill;
import dev.lancetorch.torch.PadOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A {@link Format#TORCH_DICT} batch (fixed-width, jagged and padded columns) from pieces of native
 * scan batches. One piece (the common case) is zero-copy for fixed-width and jagged columns;
 * several pieces (a batch spanning two scan batches) are concatenated: fixed-width and padded
 * tensors along rows (padded ones first widened to the longest L), jagged values concatenated and
 * offsets shifted.
 */
final class DictPieces {
  private DictPieces() {}

  /** {@code fill} is keyed by base column name. The caller owns the result. */
  static LinkedHashMap<String, Tensor> assemble(
      List<TensorRechunker.Piece> pieces,
      List<String> columns,
      Map<String, String> renames,
      Map<String, PadOptions> padding,
      NullFill fill) {
    List<Map<String, Tensor>> parts = new ArrayList<>(pieces.size());
    try {
      for (TensorRechunker.Piece p : pieces) {
        parts.add(
            BatchFormatter.view(p.batch())
                .dictWithOffsets(columns, renames, padding, p.start(), p.length(), fill));
      }
      if (parts.size() == 1) {
        LinkedHashMap<String, Tensor> only = new LinkedHashMap<>(parts.get(0));
        parts.clear();
        return only;
      }
      LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
      try {
        for (String c : columns) {
          String key = renames.getOrDefault(c, c);
          PadOptions pad = padding.get(key);
          if (pad != null) {
            padded(parts, key, pad, out);
          } else if (BatchFormatter.view(pieces.get(0).batch()).isVariableLength(c)) {
            jagged(parts, key, out);
          } else {
            out.put(key, cat(parts, key));
          }
        }
        return out;
      } catch (RuntimeException | Error e) {
        out.values().forEach(Tensor::close);
        throw e;
      }
    } finally {
      parts.forEach(m -> m.values().forEach(Tensor::close));
    }
  }

  private static Tensor cat(List<Map<String, Tensor>> parts, String key) {
    try (TensorVector v =
        new TensorVector(parts.stream().map(m -> m.get(key)).toArray(Tensor[]::new))) {
      return torch.cat(v, 0);
    }
  }

  /**
   * Values concatenated; each part's offsets after the first shifted by the items before it (its 0
   * dropped).
   */
  private static void jagged(List<Map<String, Tensor>> parts, String key, Map<String, Tensor> out) {
    List<Tensor> offsets = new ArrayList<>(parts.size());
    try {
      long shift = 0;
      for (Map<String, Tensor> m : parts) {
        Tensor o = m.get(key + OFFSETS_SUFFIX);
        if (offsets.isEmpty()) {
          offsets.add(new Tensor(o));
        } else {
          try (Tensor tail = o.narrow(0, 1, o.size(0) - 1);
              Scalar s = new Scalar(shift)) {
            offsets.add(tail.add(s));
          }
        }
        shift += m.get(key).size(0);
      }
      if (shift > Integer.MAX_VALUE && offsets.get(0).scalar_type().intern() == ScalarType.Int) {
        throw new IllegalArgumentException(
            "column '"
                + key
                + "': a batch of "
                + shift
                + " list items is beyond its int32 offsets (store it as large_list / large_binary /"
                + " large_utf8)");
      }
      Tensor values = cat(parts, key);
      try (TensorVector v = new TensorVector(offsets.toArray(new Tensor[0]))) {
        out.put(key, values);
        out.put(key + OFFSETS_SUFFIX, torch.cat(v, 0));
      }
    } finally {
      offsets.forEach(Tensor::close);
    }
  }

  /**
   * Pieces padded to different batch maxima are widened to the longest (pad value; mask false)
   * first.
   */
  private static void padded(
      List<Map<String, Tensor>> parts, String key, PadOptions pad, Map<String, Tensor> out) {
    long width = 0;
    for (Map<String, Tensor> m : parts) {
      width = Math.max(width, m.get(key).size(1));
    }
    List<Tensor> values = new ArrayList<>();
    List<Tensor> masks = new ArrayList<>();
    try (Scalar padValue = new Scalar(pad.padValue());
        Scalar no = new Scalar(0L)) {
      for (Map<String, Tensor> m : parts) {
        long more = width - m.get(key).size(1);
        values.add(torch.constant_pad_nd(m.get(key), new long[] {0, more}, padValue));
        masks.add(torch.constant_pad_nd(m.get(key + MASK_SUFFIX), new long[] {0, more}, no));
      }
      try (TensorVector v = new TensorVector(values.toArray(new Tensor[0]));
          TensorVector k = new TensorVector(masks.toArray(new Tensor[0]))) {
        out.put(key, torch.cat(v, 0));
        out.put(key + LENGTHS_SUFFIX, cat(parts, key + LENGTHS_SUFFIX));
        out.put(key + MASK_SUFFIX, torch.cat(k, 0));
      }
    } finally {
      values.forEach(Tensor::close);
      masks.forEach(Tensor::close);
    }
  }
}
