package dev.lancetorch.permutation;

import dev.lancetorch.Table;
import dev.lancetorch.internal.arrow.Renames;
import dev.lancetorch.internal.read.RowReader;
import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.torch.NullFill;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

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
  /**
   * The settings of a new permutation of {@code pinned}: the rows of {@code selection}, every
   * column, {@link Format#ARROW}, the default batch size and read-ahead, no cache, no null fill.
   */
  static PermutationSpec initial(Table pinned, RowSelection selection) {
    return new PermutationSpec(
        new TableLocator.ByRef(pinned.reopenState()),
        selection,
        pinned.schema().getFields().stream().map(Field::getName).toList(),
        Map.of(),
        Permutation.DEFAULT_BATCH_SIZE,
        Format.ARROW,
        null,
        CacheOptions.none(),
        Permutation.DEFAULT_READ_AHEAD_BYTES,
        NullFill.none());
  }

  /** The column names of each batch, after renames. */
  List<String> columnNames() {
    return columns.stream().map(c -> renames.getOrDefault(c, c)).toList();
  }

  /** Arrow schema of each batch, from the table's {@code full} schema (selection and renames). */
  Schema schema(Schema full) {
    List<Field> fields = new ArrayList<>();
    for (String c : columns) {
      Field f =
          c.equals(RowReader.ROW_ID) && !hasColumn(full, c)
              ? Field.notNullable(c, new ArrowType.Int(64, false))
              : full.findField(c);
      fields.add(renames.containsKey(c) ? Renames.renamed(f, renames.get(c)) : f);
    }
    return new Schema(fields);
  }

  /** True when {@code other} makes the same batches from the same rows (a reopened copy). */
  boolean formatsLike(PermutationSpec other) {
    return columns.equals(other.columns)
        && renames.equals(other.renames)
        && format.equals(other.format)
        && nullFill.equals(other.nullFill)
        && Objects.equals(transform, other.transform);
  }

  /** See {@link Permutation#selectColumns}; {@code table} is the open base table. */
  PermutationSpec selectColumns(String[] names, Table table) {
    if (names.length == 0) {
      throw new IllegalArgumentException("Must select at least one column");
    }
    List<String> current = columnNames();
    List<String> base = new ArrayList<>();
    for (String n : names) {
      if (n.equals(RowReader.ROW_ID) && !current.contains(n)) {
        base.add(n);
      } else if (!current.contains(n)) {
        throw new IllegalArgumentException(
            "Cannot select column `" + n + "` because it does not exist; columns: " + current);
      } else {
        base.add(baseName(n, table));
      }
    }
    if (base.stream().distinct().count() != base.size()) {
      throw new IllegalArgumentException("duplicate column in selectColumns " + List.of(names));
    }
    return withColumns(base, renames);
  }

  /** See {@link Permutation#removeColumns}. */
  PermutationSpec removeColumns(String[] names, Table table) {
    List<String> drop = new ArrayList<>();
    for (String n : names) {
      drop.add(baseName(n, table));
    }
    List<String> keep = columns.stream().filter(c -> !drop.contains(c)).toList();
    if (keep.isEmpty()) {
      throw new IllegalArgumentException(
          "removeColumns " + List.of(names) + " would remove every column");
    }
    return withColumns(keep, renames);
  }

  /** See {@link Permutation#renameColumns}. */
  PermutationSpec renameColumns(Map<String, String> mapping, Table table) {
    Map<String, String> ren = new LinkedHashMap<>(renames);
    List<String> current = columnNames();
    for (Map.Entry<String, String> e : mapping.entrySet()) {
      String base = baseName(e.getKey(), table);
      String to = Objects.requireNonNull(e.getValue(), "new name");
      if (to.isEmpty()) {
        throw new IllegalArgumentException("cannot rename '" + e.getKey() + "' to an empty name");
      }
      if (current.contains(to) && !to.equals(e.getKey()) && !mapping.containsKey(to)) {
        throw new IllegalArgumentException(
            "cannot rename '" + e.getKey() + "' to '" + to + "': a column with that name exists");
      }
      ren.put(base, to);
    }
    Map<String, String> byFinalName = new LinkedHashMap<>();
    for (String c : columns) {
      String previous = byFinalName.put(ren.getOrDefault(c, c), c);
      if (previous != null) {
        throw new IllegalArgumentException(
            "renameColumns "
                + mapping
                + " gives two columns the name '"
                + ren.getOrDefault(c, c)
                + "' ('"
                + renames.getOrDefault(previous, previous)
                + "' and '"
                + renames.getOrDefault(c, c)
                + "')");
      }
    }
    return withColumns(columns, ren);
  }

  /**
   * The base-table name of the column now called {@code current}.
   *
   * @throws IllegalArgumentException for an unknown column
   */
  String baseName(String current, Table table) {
    for (String c : columns) {
      if (renames.getOrDefault(c, c).equals(current)) {
        return c;
      }
    }
    if (!renames.containsKey(current) || renames.get(current).equals(current)) {
      if (hasColumn(table.schema(), current) || current.equals(RowReader.ROW_ID)) {
        return current;
      }
    }
    throw new IllegalArgumentException(
        "unknown column '"
            + current
            + "' in permutation of table '"
            + table.name()
            + "'; columns: "
            + columnNames());
  }

  private static boolean hasColumn(Schema s, String name) {
    return s.getFields().stream().anyMatch(f -> f.getName().equals(name));
  }

  private Object readResolve() {
    return Permutation.open(this);
  }
}
