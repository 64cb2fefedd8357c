package dev.lancetorch.loader;

/**
 * A {@link BatchSource} that can narrow its columns and rows — what {@link
 * StreamingDataset.Builder#columns} and {@link StreamingDataset.Builder#filter} need (the builders
 * adapt a {@code Permutation} to it: {@code builder(Permutation)}). Both return a new source over
 * the same handle; neither changes this one.
 *
 * @param <B> the batch type
 */
public interface SelectableSource<B> extends BatchSource<B> {
  /** Only these columns. */
  SelectableSource<B> selectColumns(String... columns);

  /** Only the rows whose base-table row matches this SQL filter, in the same order. */
  SelectableSource<B> filter(String sqlFilter);
}
