package dev.lancetorch.permutation;

import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.torch.NullFill;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a {@link Permutation}'s {@code with*}/{@code select*} calls set, as data: where the table is
 * ({@code locator}), which rows ({@code selection}), which base columns and their renames, the
 * batch size, the output format or transform, the cache options, the read-ahead budget and the null
 * fills (keyed by base column name). Immutable; it is also the serialized and reopen form of a
 * permutation (a {@code Permutation} writes exactly this record and reading it back opens a new
 * handle), so no setting is listed twice.
 */
record PermutationSpec(
    TableLocator locator,
    RowSelection selection,
    List<String> columns,
    Map<String, String> renames,
    int batchSize,
    Format<?> format,
    Function<ArrowBatch, ?> transform,
    CacheOptions cache,
    long readAheadBytes,
    NullFill nullFill)
    implements Serializable {

  PermutationSpec {
    columns = List.copyOf(columns);
    renames = Map.copyOf(renames);
    nullFill = nullFill == null ? NullFill.none() : nullFill;
    cache = cache == null ? CacheOptions.none() : cache;
  }

  PermutationSpec withRows(RowSelection sel) {
    return new PermutationSpec(
        locator,
        sel,
        columns,
        renames,
        batchSize,
        format,
        transform,
        cache,
        readAheadBytes,
        nullFill);
  }

  PermutationSpec withColumns(List<String> cols, Map<String, String> ren) {
    return new PermutationSpec(
        locator,
        selection,
        cols,
        ren,
        batchSize,
        format,
        transform,
        cache,
        readAheadBytes,
        nullFill);
  }

  PermutationSpec withBatchSize(int size) {
    return new PermutationSpec(
        locator,
        selection,
        columns,
        renames,
        size,
        format,
        transform,
        cache,
        readAheadBytes,
        nullFill);
  }

  /** Another format, or a transform (then the format is {@link Format#ARROW}). */
  PermutationSpec withOutput(Format<?> fmt, Function<ArrowBatch, ?> tr) {
    return new PermutationSpec(
        locator, selection, columns, renames, batchSize, fmt, tr, cache, readAheadBytes, nullFill);
  }

  PermutationSpec withLocator(TableLocator loc) {
    return new PermutationSpec(
        loc,
        selection,
        columns,
        renames,
        batchSize,
        format,
        transform,
        cache,
        readAheadBytes,
        nullFill);
  }

  PermutationSpec withBudgets(CacheOptions cacheOptions, long readAhead) {
    return new PermutationSpec(
        locator,
        selection,
        columns,
        renames,
        batchSize,
        format,
        transform,
        cacheOptions,
        readAhead,
        nullFill);
  }

  PermutationSpec withNullFill(NullFill fill) {
    return new PermutationSpec(
        locator,
        selection,
        columns,
        renames,
        batchSize,
        format,
        transform,
        cache,
        readAheadBytes,
        fill);
  }

  /** The batch columns' names, after renames. */
  List<String> columnNames() {
    return columns.stream().map(c -> renames.getOrDefault(c, c)).toList();
  }

  /** Reading this record back opens a new handle of the table (owned by the caller). */
  private Object readResolve() {
    return Permutation.open(this);
  }
}
