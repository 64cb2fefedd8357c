package dev.lancetorch.permutation;

import dev.lancetorch.internal.bridge.BatchAccess;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.SchemaExports;
import dev.lancetorch.internal.read.TensorRechunker;
import dev.lancetorch.torch.ColumnOptions;
import dev.lancetorch.torch.NullFill;
import dev.lancetorch.torch.PadOptions;
import dev.lancetorch.torch.TorchBatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.bytedeco.pytorch.Tensor;

/**
 * Turns an {@link ArrowBatch} into the batch of a {@link Format}. Takes ownership of the Arrow
 * batch.
 */
final class BatchFormatter {
  private BatchFormatter() {}

  /**
   * {@code fill} (keyed by the batch's column names) fills nulls in the tensor formats; the other
   * formats keep nulls.
   */
  static Object format(Format<?> format, ArrowBatch batch, SchemaExports exports, NullFill fill) {
    if (format == Format.ARROW) {
      return batch;
    }
    try (batch) {
      if (format == Format.ROWS) {
        return rows(batch.root());
      }
      if (format == Format.COLUMNS) {
        return columns(batch.root());
      }
      // Tensor formats: the bridge retains the Arrow buffers (zero-copy); the batch can be closed
      // right after.
      VectorSchemaRoot root = batch.root();
      List<String> names = batch.columnNames();
      try (TorchBatch tb =
          view(
              exports
                  .of(root.getSchema())
                  .importBatch(root, root.getFieldVectors().get(0).getAllocator()))) {
        if (format == Format.TORCH_COL) {
          return tb.stack(names, fill);
        }
        if (format.isDict()) {
          requirePaddedColumns(format.padding(), names);
          return new TensorDict(
              new LinkedHashMap<>(
                  tb.dictWithOffsets(
                      names, Map.of(), format.padding(), 0, root.getRowCount(), fill)));
        }
        if (format == Format.TORCH_ROW) {
          try (Tensor cr = tb.stack(names, fill)) {
            return torchRows(cr, root.getRowCount());
          }
        }
        if (format == Format.TORCH) {
          Map<String, Tensor> cols = tb.dict(names, fill);
          try {
            return torchRowMaps(cols, root.getRowCount());
          } finally {
            cols.values().forEach(Tensor::close);
          }
        }
      } catch (IllegalArgumentException e) {
        throw withFillHint(e, Map.of());
      }
    }
    throw new IllegalArgumentException("unsupported format " + format);
  }

  private static List<Map<String, Object>> rows(VectorSchemaRoot root) {
    List<FieldVector> vectors = root.getFieldVectors();
    List<Map<String, Object>> out = new ArrayList<>(root.getRowCount());
    for (int i = 0; i < root.getRowCount(); i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (FieldVector v : vectors) {
        row.put(v.getName(), PlainValues.of(v, i));
      }
      out.add(row);
    }
    return out;
  }

  private static Map<String, List<Object>> columns(VectorSchemaRoot root) {
    Map<String, List<Object>> out = new LinkedHashMap<>();
    for (FieldVector v : root.getFieldVectors()) {
      List<Object> values = new ArrayList<>(root.getRowCount());
      for (int i = 0; i < root.getRowCount(); i++) {
        values.add(PlainValues.of(v, i));
      }
      out.put(v.getName(), values);
    }
    return out;
  }

  /**
   * The public {@link TorchBatch} over a read-path batch (one small object, no copy). The view owns
   * {@code batch}: a caller that owns it closes the view (or the batch); one that only borrows it
   * (a {@link TensorRechunker.Piece}) closes neither.
   */
  static TorchBatch view(NativeBatch batch) {
    return (TorchBatch) BatchAccess.view(batch);
  }

  /**
   * A tensor batch from pieces of native scan batches ({@link TensorRechunker}): {@code columns}
   * are the base column names in output order, renamed per {@code renames}. The caller owns the
   * result.
   */
  static Object formatPieces(
      Format<?> format,
      List<TensorRechunker.Piece> pieces,
      List<String> columns,
      Map<String, String> renames,
      NullFill fill) {
    try {
      return tensorsOfPieces(format, pieces, columns, renames, fill);
    } catch (IllegalArgumentException e) {
      throw withFillHint(e, renames);
    }
  }

  /** As {@link #formatPieces}; {@code fill} is keyed by base column name. */
  private static Object tensorsOfPieces(
      Format<?> format,
      List<TensorRechunker.Piece> pieces,
      List<String> columns,
      Map<String, String> renames,
      NullFill fill) {
    int rows = (int) pieces.stream().mapToLong(TensorRechunker.Piece::length).sum();
    if (format == Format.TORCH_COL || format == Format.TORCH_ROW) {
      Tensor cr = TensorRechunker.assemble(pieces, 1, b -> view(b).stack(columns, fill));
      if (format == Format.TORCH_COL) {
        return cr;
      }
      try (cr) {
        return torchRows(cr, rows);
      }
    }
    if (format.isDict()) {
      requirePaddedColumns(
          format.padding(), columns.stream().map(c -> renames.getOrDefault(c, c)).toList());
      return new TensorDict(DictPieces.assemble(pieces, columns, renames, format.padding(), fill));
    }
    LinkedHashMap<String, Tensor> dict = new LinkedHashMap<>();
    try {
      for (String c : columns) {
        ColumnOptions options = fill.columnOptions(c);
        dict.put(
            renames.getOrDefault(c, c),
            TensorRechunker.assemble(pieces, 0, b -> view(b).column(c, options)));
      }
    } catch (RuntimeException | Error e) {
      dict.values().forEach(Tensor::close);
      throw e;
    }
    try {
      return torchRowMaps(dict, rows);
    } finally {
      dict.values().forEach(Tensor::close);
    }
  }

  /** What the bridge says of a column with nulls and no fill value. */
  private static final String NULL_ERROR = "; give a fill value";

  private static final java.util.regex.Pattern COLUMN =
      java.util.regex.Pattern.compile("column '(.*?)' \\(format");

  /**
   * The bridge's error for nulls without a fill value, pointing to the Permutation's fill (the
   * column named by its current name, {@code renames}: base → current); other errors unchanged.
   */
  static IllegalArgumentException withFillHint(
      IllegalArgumentException e, Map<String, String> renames) {
    String m = e.getMessage();
    if (m == null || !m.contains(NULL_ERROR)) {
      return e;
    }
    java.util.regex.Matcher c = COLUMN.matcher(m);
    String name = c.find() ? renames.getOrDefault(c.group(1), c.group(1)) : "column";
    return new IllegalArgumentException(
        m
            + ": set one with Permutation.withNullFill(\""
            + name
            + "\", value), or withNullFill(value) for every column",
        e);
  }

  /** One tensor per row: views of the (R, C) transpose of a (C, R) tensor. */
  private static TensorList torchRows(Tensor cr, int rows) {
    List<Tensor> out = new ArrayList<>(rows);
    try (Tensor rc = cr.t()) {
      for (int i = 0; i < rows; i++) {
        out.add(rc.select(0, i));
      }
      return new TensorList(out);
    } catch (RuntimeException | Error e) {
      out.forEach(Tensor::close);
      throw e;
    }
  }

  /**
   * Per-row maps of views of the column tensors (0-D for scalars, (D) for FixedSizeList cells);
   * borrows cols.
   */
  private static TensorRowMaps torchRowMaps(Map<String, Tensor> cols, int rows) {
    List<Map<String, Tensor>> out = new ArrayList<>(rows);
    try {
      for (int i = 0; i < rows; i++) {
        Map<String, Tensor> row = new LinkedHashMap<>();
        out.add(row);
        for (Map.Entry<String, Tensor> e : cols.entrySet()) {
          row.put(e.getKey(), e.getValue().select(0, i));
        }
      }
      return new TensorRowMaps(out);
    } catch (RuntimeException | Error e) {
      out.forEach(m -> m.values().forEach(Tensor::close));
      throw e;
    }
  }

  /** Bytes a batch holds (Arrow buffers or tensor storage), -1 if unknown. */
  static long sizeInBytes(Object batch) {
    if (batch instanceof ArrowBatch b && !b.isClosed()) {
      long n = 0;
      for (FieldVector v : b.root().getFieldVectors()) {
        n += v.getBufferSize();
      }
      return n;
    }
    if (batch instanceof Tensor t) {
      return t.nbytes();
    }
    if (batch instanceof TensorDict d) {
      return d.values().stream().mapToLong(Tensor::nbytes).sum();
    }
    return -1;
  }

  /**
   * Every column {@code padding} names is one of the batch's {@code columns} (names after renames):
   * a typo or a name from before a rename would otherwise leave the column jagged, silently.
   *
   * @throws IllegalArgumentException naming the unknown keys and the batch's columns
   */
  static void requirePaddedColumns(Map<String, PadOptions> padding, List<String> columns) {
    List<String> unknown =
        padding.keySet().stream().filter(k -> !columns.contains(k)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "Format.torchDict pads "
              + (unknown.size() == 1 ? "column '" + unknown.get(0) + "'" : "columns " + unknown)
              + ", not in the batch; its columns (names after renames): "
              + columns);
    }
  }
}
