package dev.lancetorch.permutation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lancetorch.FragmentInfo;
import dev.lancetorch.Table;
import dev.lancetorch.internal.permutation.LongArrayBuilder;
import dev.lancetorch.internal.permutation.PermutationPlan;
import dev.lancetorch.internal.permutation.PermutationRowsReader;
import dev.lancetorch.internal.read.RowSelection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The splits of a permutation table over a base table, by name or index — LanceDB's {@code
 * Permutations}.
 *
 * <p>A permutation table has {@code row_id: UInt64} (base row address, {@code fragment << 32 |
 * offset}) and {@code split_id: UInt64}, and optionally schema metadata {@code split_names} (a JSON
 * array). Split {@code k} is the rows with {@code split_id = k} in the order the table stores them.
 * The table is read once, here; its row ids are held in memory (8 bytes per row). Borrows both
 * tables.
 */
public final class Permutations {
  /** Schema metadata key of the split names (JSON array). */
  public static final String SPLIT_NAMES = PermutationRowsReader.SPLIT_NAMES;

  /** Schema metadata key of the base table version the permutation was built on. */
  public static final String BASE_VERSION = PermutationRowsReader.BASE_VERSION;

  /**
   * Schema metadata key of the number of splits, empty ones included (lance-torch's; tables without
   * it have as many splits as their largest split id + 1, or names, and at least one).
   */
  public static final String NUM_SPLITS = PermutationRowsReader.NUM_SPLITS;

  /** Column of a permutation table: the base row address, {@code UInt64}. */
  public static final String ROW_ID = PermutationRowsReader.ROW_ID;

  /** Column of a permutation table: the split id, {@code UInt64}. */
  public static final String SPLIT_ID = PermutationRowsReader.SPLIT_ID;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Table base;
  private final List<String> names;
  private final long[][] splits;

  private Permutations(Table base, List<String> names, long[][] splits) {
    this.base = base;
    this.names = names;
    this.splits = splits;
  }

  /**
   * {@code permutationTable}, for the {@code split} asked of it.
   *
   * @throws IllegalArgumentException when it is null
   */
  static Table required(Table permutationTable, Object split) {
    if (permutationTable == null) {
      throw new IllegalArgumentException(
          "split " + split + " requested but no permutation table was given");
    }
    return permutationTable;
  }

  /**
   * {@link #split(String)}, refusing a split without rows as LanceDB does ({@code permutationTable}
   * names it in the message).
   *
   * @throws IllegalArgumentException for an empty split
   */
  Permutation<ArrowBatch> nonEmptySplit(String name, Table permutationTable) {
    return nonEmpty(split(name), "'" + name + "'", permutationTable);
  }

  /** {@link #split(int)}, refusing a split without rows as LanceDB does. */
  Permutation<ArrowBatch> nonEmptySplit(int index, Table permutationTable) {
    return nonEmpty(split(index), String.valueOf(index), permutationTable);
  }

  private static Permutation<ArrowBatch> nonEmpty(
      Permutation<ArrowBatch> p, String split, Table perm) {
    if (p.numRows() == 0) {
      p.close();
      throw new IllegalArgumentException(
          "No rows found in the permutation table '" + perm.name() + "' for split " + split);
    }
    return p;
  }

  /** Reads {@code permutationTable} (validated) into its splits over {@code base}. */
  public static Permutations of(Table base, Table permutationTable) {
    Schema schema = permutationTable.schema();
    requireInteger(schema, ROW_ID, permutationTable, true);
    requireInteger(schema, SPLIT_ID, permutationTable, false);
    List<String> names = splitNames(schema.getCustomMetadata());
    List<LongArrayBuilder> parts = new ArrayList<>();
    // room for every row of split 0: its array is then built in place, where doubling held up to 3
    // arrays of its size at once (16M rows: 384 MB of heap that G1 kept committed for the rest of
    // the run)
    int firstCapacity = (int) Math.min(Integer.MAX_VALUE - 8L, firstSplitRows(permutationTable));
    try (ArrowReader reader =
        permutationTable.query().select(ROW_ID, SPLIT_ID).batchSize(65536).toArrowReader()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        BaseIntVector ids = (BaseIntVector) root.getVector(ROW_ID);
        BaseIntVector split = (BaseIntVector) root.getVector(SPLIT_ID);
        // the vectors once per batch and their null counts once (not two name lookups a row: 16M
        // rows took 0.2 s of them)
        if (((ValueVector) ids).getNullCount() > 0 || ((ValueVector) split).getNullCount() > 0) {
          throw new IllegalArgumentException(
              "permutation table '" + permutationTable.name() + "' has a null row_id/split_id");
        }
        for (int i = 0; i < root.getRowCount(); i++) {
          long s = split.getValueAsLong(i);
          if (s < 0 || s >= SplitSizes.MAX_SPLITS) {
            throw new IllegalArgumentException(
                "permutation table '"
                    + permutationTable.name()
                    + "' has split_id "
                    + Long.toUnsignedString(s)
                    + " (at most "
                    + (SplitSizes.MAX_SPLITS - 1)
                    + ")");
          }
          while (parts.size() <= s) {
            parts.add(
                parts.isEmpty() ? new LongArrayBuilder(firstCapacity) : new LongArrayBuilder());
          }
          parts.get((int) s).add(ids.getValueAsLong(i));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "reading permutation table '" + permutationTable.name() + "'", e);
    }
    int n =
        Math.max(
            Math.max(parts.size(), names.size()),
            Math.max(1, declaredSplits(schema, permutationTable)));
    long[][] splits = new long[n][];
    for (int k = 0; k < n; k++) {
      splits[k] = k < parts.size() ? parts.get(k).toArray() : new long[0];
    }
    requireRowsOf(base, permutationTable, splits);
    return new Permutations(base, names, splits);
  }

  /**
   * Rows of split 0 of {@code permutationTable}: all of them for a table that declares one split
   * (or names none, or one: most permutations; the count is the table's metadata), else a count of
   * {@code split_id = 0} (one scan of that column, where presizing to every row would hold an array
   * that large for split 0 until its copy).
   */
  static long firstSplitRows(Table permutationTable) {
    Schema schema = permutationTable.schema();
    if (declaredSplits(schema, permutationTable) <= 1
        && splitNames(schema.getCustomMetadata()).size() <= 1) {
      return permutationTable.countRows();
    }
    return permutationTable.countRows(SPLIT_ID + " = 0");
  }

  /** Splits computed in memory by a builder (no table round trip). */
  static Permutations fromPlan(Table base, List<String> names, long[][] splits) {
    return new Permutations(base, names, splits);
  }

  /** Split names (empty when the table has none), index = split id. */
  public List<String> splitNames() {
    return names;
  }

  /**
   * Number of splits, empty ones included: as the builder declared them ({@value #NUM_SPLITS}
   * metadata, or the number of names), else the largest split id + 1; at least 1.
   */
  public int numSplits() {
    return splits.length;
  }

  /** The split called {@code name}. */
  public Permutation<ArrowBatch> split(String name) {
    int k = names.indexOf(name);
    if (k < 0) {
      throw new IllegalArgumentException("unknown split '" + name + "'; splits: " + names);
    }
    return split(k);
  }

  /** Split {@code index}. */
  public Permutation<ArrowBatch> split(int index) {
    requireIndex(index);
    return Permutation.create(base, t -> RowSelection.addresses(splits[index]));
  }

  /** Number of rows of split {@code index}. */
  public long splitSize(int index) {
    requireIndex(index);
    return splits[index].length;
  }

  private void requireIndex(int index) {
    if (index < 0 || index >= splits.length) {
      throw new IllegalArgumentException(
          "split index " + index + " out of range: " + splits.length + " splits");
    }
  }

  /**
   * Checks that every row id addresses a row of {@code base} (an existing fragment, an offset below
   * its physical row count): a permutation table made for another (larger) table must fail here,
   * naming both tables.
   */
  private static void requireRowsOf(Table base, Table permutationTable, long[][] splits) {
    List<FragmentInfo> fragments = base.fragments();
    // physical rows by fragment id, -1 for none (an array: a boxed map lookup a row took 0.1 s of
    // 16M rows)
    int maxId = -1;
    for (FragmentInfo f : fragments) {
      maxId = Math.max(maxId, f.id());
    }
    long[] physical = new long[maxId + 1];
    Arrays.fill(physical, -1);
    for (FragmentInfo f : fragments) {
      physical[f.id()] = f.physicalRows();
    }
    long bad = 0;
    long first = 0;
    for (long[] split : splits) {
      for (long addr : split) {
        long id = addr >>> 32;
        long rows = id < physical.length ? physical[(int) id] : -1;
        if (rows < 0 || (addr & 0xFFFFFFFFL) >= rows) {
          if (bad++ == 0) {
            first = addr;
          }
        }
      }
    }
    if (bad > 0) {
      throw new IllegalArgumentException(
          "permutation table '"
              + permutationTable.name()
              + "' does not fit table '"
              + base.name()
              + "' ("
              + base.uri()
              + "): "
              + bad
              + " row ids address no row of it, e.g. "
              + PermutationPlan.addressString(first)
              + " (fragments: "
              + fragments.stream().map(f -> f.id() + ":" + f.physicalRows() + " rows").toList()
              + "); was it built on another table?");
    }
  }

  private static int declaredSplits(Schema schema, Table t) {
    String v =
        schema.getCustomMetadata() == null ? null : schema.getCustomMetadata().get(NUM_SPLITS);
    if (v == null) {
      return 0;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 0 || n > SplitSizes.MAX_SPLITS) {
        throw new NumberFormatException("out of range");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "permutation table '"
              + t.name()
              + "': metadata "
              + NUM_SPLITS
              + " = '"
              + v
              + "' is not a split count in [0, "
              + SplitSizes.MAX_SPLITS
              + "]",
          e);
    }
  }

  static List<String> splitNames(Map<String, String> metadata) {
    String json = metadata == null ? null : metadata.get(SPLIT_NAMES);
    if (json == null) {
      return List.of();
    }
    try {
      return Arrays.asList(JSON.readValue(json, String[].class));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "split_names metadata is not a JSON array of strings: " + json, e);
    }
  }

  /**
   * {@code row_id} must be a 64-bit integer; {@code split_id} any integer type (LanceDB writes
   * {@code UInt64} for its own splits and the SQL result type — e.g. {@code Int32} or {@code Int64}
   * — for calculated splits).
   */
  private static void requireInteger(Schema schema, String column, Table t, boolean only64) {
    Field f =
        schema.getFields().stream()
            .filter(x -> x.getName().equals(column))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "table '"
                            + t.name()
                            + "' is not a permutation table: no '"
                            + column
                            + "' column (schema: "
                            + schema
                            + ")"));
    if (!(f.getType() instanceof ArrowType.Int i) || (only64 && i.getBitWidth() != 64)) {
      throw new IllegalArgumentException(
          "permutation table '"
              + t.name()
              + "': column '"
              + column
              + (only64
                  ? "' must be UInt64 (Int64 accepted), is "
                  : "' must be an integer type, is ")
              + f.getType());
    }
  }
}
