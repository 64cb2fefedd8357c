package dev.lancetorch.permutation;

import dev.lancetorch.torch.PadOptions;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * The output format of a {@link Permutation}: what one batch is. Mirrors LanceDB Python's {@code
 * with_format} names.
 *
 * <table>
 *   <caption>Formats, copies and ownership</caption>
 *   <tr><th>Format</th><th>LanceDB name</th><th>Batch type</th><th>Copies?</th></tr>
 *   <tr>
 *     <td>{@link #ARROW}</td>
 *     <td>arrow</td>
 *     <td>{@link ArrowBatch}</td>
 *     <td>no (scan); take results are decoded once</td>
 *   </tr>
 *   <tr>
 *     <td>{@link #ROWS}</td>
 *     <td>python</td>
 *     <td>{@code List<Map<String,Object>>}</td>
 *     <td>yes (plain Java values: String, byte[], List, Map, LocalDate, unsigned widened)</td>
 *   </tr>
 *   <tr>
 *     <td>{@link #COLUMNS}</td>
 *     <td>python_col</td>
 *     <td>{@code Map<String,List<Object>>}</td>
 *     <td>yes (plain Java values)</td>
 *   </tr>
 *   <tr>
 *     <td>{@link #TORCH}</td>
 *     <td>torch</td>
 *     <td>{@link TensorRowMaps}: per-row maps of 0-D/1-D views</td>
 *     <td>no</td>
 *   </tr>
 *   <tr>
 *     <td>{@link #TORCH_ROW}</td>
 *     <td>torch_row</td>
 *     <td>{@link TensorList}: one tensor per row</td>
 *     <td>as TORCH_COL</td>
 *   </tr>
 *   <tr><td>{@link #TORCH_COL}</td><td>torch_col</td><td>{@link Tensor} of shape (C, R)</td>
 *     <td>no for one column (or one FixedSizeList column, as a (D,R) view); else one gather</td>
 *   </tr>
 *   <tr>
 *     <td>{@link #TORCH_DICT}</td>
 *     <td>(ours)</td>
 *     <td>{@link TensorDict}: name → column tensor (variable-length columns: name → values,
 *         name.offsets → offsets)</td>
 *     <td>no (padding: one pass per padded column)</td>
 *   </tr>
 * </table>
 *
 * <p>Every batch type that holds native memory is {@link AutoCloseable} and is <b>owned by the
 * caller</b>; tensors keep the underlying Arrow batch alive until the last tensor (or view) is
 * freed.
 *
 * @param <T> the batch type this format produces
 */
public final class Format<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Arrow record batches ({@link ArrowBatch}); the caller closes each batch. */
  public static final Format<ArrowBatch> ARROW = new Format<>("arrow");

  /** LanceDB "python": a list of rows, each a map column name → Java value. No native memory. */
  public static final Format<List<Map<String, Object>>> ROWS = new Format<>("python");

  /** LanceDB "python_col": a map column name → list of Java values. No native memory. */
  public static final Format<Map<String, List<Object>>> COLUMNS = new Format<>("python_col");

  /**
   * LanceDB "torch": a list of per-row maps of tensor views (0-D for scalars, 1-D for FixedSizeList
   * cells).
   */
  public static final Format<TensorRowMaps> TORCH = new Format<>("torch");

  /**
   * LanceDB "torch_row": a list of per-row tensors (views of the (R, C) transpose of {@link
   * #TORCH_COL}).
   */
  public static final Format<TensorList> TORCH_ROW = new Format<>("torch_row");

  /** LanceDB "torch_col": one (C, R) tensor, first dimension indexes columns. */
  public static final Format<Tensor> TORCH_COL = new Format<>("torch_col");

  /** A map column name → zero-copy column tensor (1-D, or (R, D) for FixedSizeList columns). */
  public static final Format<TensorDict> TORCH_DICT = new Format<>("torch_dict");

  private static final List<Format<?>> ALL =
      List.of(ARROW, ROWS, COLUMNS, TORCH, TORCH_ROW, TORCH_COL, TORCH_DICT);

  private final String name;
  private final Map<String, PadOptions> padding;

  private Format(String name) {
    this(name, Map.of());
  }

  private Format(String name, Map<String, PadOptions> padding) {
    this.name = name;
    this.padding = padding;
  }

  /**
   * {@link #TORCH_DICT} with the named variable-length columns (keys: names after renames) padded
   * or truncated per {@link PadOptions}: each gives {@code name} → (R, L), {@code name.lengths} →
   * (R) int64 and {@code name.mask} → (R, L) bool, made in one native pass per batch. Other
   * variable-length columns stay jagged ({@code name} → values, {@code name.offsets}). A key that
   * is not a column of the permutation (a typo, a name from before a rename, a column removed) is
   * an {@link IllegalArgumentException} naming it, from {@code Permutation.withFormat} or the
   * {@code select}/{@code rename}/{@code remove} call that drops it.
   */
  public static Format<TensorDict> torchDict(Map<String, PadOptions> padding) {
    Map<String, PadOptions> copy = Map.copyOf(padding);
    return copy.isEmpty() ? TORCH_DICT : new Format<>(TORCH_DICT.name, copy);
  }

  /** Padding per column of a {@link #torchDict(Map)} format (empty otherwise). */
  Map<String, PadOptions> padding() {
    return padding;
  }

  /** True for {@link #TORCH_DICT} and its padded variants. */
  boolean isDict() {
    return name.equals(TORCH_DICT.name);
  }

  /** The LanceDB name of this format ("arrow", "python", "torch_col", ...). */
  public String name() {
    return name;
  }

  /**
   * True for the formats that build tensors (and so need LibTorch and numeric, non-null columns).
   */
  public boolean isTorch() {
    return name.startsWith("torch");
  }

  /**
   * The format with this LanceDB name.
   *
   * @throws IllegalArgumentException for an unknown name (the message lists the known ones)
   */
  public static Format<?> of(String name) {
    for (Format<?> f : ALL) {
      if (f.name.equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown format '" + name + "'; known: " + ALL.stream().map(Format::name).toList());
  }

  private Object readResolve() {
    return padding == null || padding.isEmpty() ? of(name) : this;
  }

  @Override
  public String toString() {
    return name;
  }
}
