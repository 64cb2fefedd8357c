package dev.lancetorch.internal.permutation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Batches in the permutation-table format — {@code row_id: UInt64}, {@code split_id: UInt64},
 * metadata {@code split_names}, {@code num_splits} and {@code base_version} — for Lance to write.
 * Subclasses say where the rows come from.
 */
public abstract class PermutationRowsReader extends ArrowReader {
  /** Schema metadata key of the split names (JSON array); public as {@code Permutations}'. */
  public static final String SPLIT_NAMES = "split_names";

  /** Schema metadata key of the base table version the permutation was built on. */
  public static final String BASE_VERSION = "base_version";

  /** Schema metadata key of the number of splits, empty ones included. */
  public static final String NUM_SPLITS = "num_splits";

  /** Column of a permutation table: the base row address, {@code UInt64}. */
  public static final String ROW_ID = "row_id";

  /** Column of a permutation table: the split id, {@code UInt64}. */
  public static final String SPLIT_ID = "split_id";

  private final Schema schema;
  private volatile RuntimeException failure;

  /**
   * {@code numSplits}: how many splits the table has, empty ones included; 0 when its rows say (not
   * recorded).
   */
  PermutationRowsReader(
      BufferAllocator allocator, List<String> names, int numSplits, long baseVersion) {
    super(allocator);
    this.schema = schema(names, numSplits, baseVersion);
  }

  static Schema schema(List<String> names, int numSplits, long baseVersion) {
    Map<String, String> meta = new HashMap<>();
    meta.put(BASE_VERSION, Long.toString(baseVersion));
    if (numSplits > 0) {
      meta.put(NUM_SPLITS, Integer.toString(numSplits));
    }
    if (names != null) {
      meta.put(SPLIT_NAMES, splitNamesJson(names));
    }
    ArrowType u64 = new ArrowType.Int(64, false);
    // As LanceDB's own builder writes it (checked with @lancedb/lancedb 0.39.0, `make interop`):
    // row_id nullable,
    // split_id not null.
    return new Schema(List.of(Field.nullable(ROW_ID, u64), Field.notNullable(SPLIT_ID, u64)), meta);
  }

  /**
   * Writes up to {@code max} addresses of {@code rows} from {@code from}, all in split {@code
   * split}; returns how many.
   */
  static int fillSplit(
      long[] rows, int from, int max, int split, UInt8Vector ids, UInt8Vector splits) {
    int n = Math.min(max, rows.length - from);
    ids.allocateNew(n);
    splits.allocateNew(n);
    for (int i = 0; i < n; i++) {
      ids.set(i, rows[from + i]);
      splits.set(i, split);
    }
    return n;
  }

  /** Allocates and fills the next rows into the two vectors; returns how many (0 at the end). */
  abstract int fill(UInt8Vector rowIds, UInt8Vector splitIds) throws IOException;

  @Override
  public final boolean loadNextBatch() throws IOException {
    VectorSchemaRoot root = getVectorSchemaRoot();
    int n;
    try {
      n = fill((UInt8Vector) root.getVector(ROW_ID), (UInt8Vector) root.getVector(SPLIT_ID));
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    }
    root.setRowCount(n);
    return n > 0;
  }

  /**
   * What to throw when writing these rows as a table failed with {@code e}: a failure of the rows
   * themselves (an invalid calculated split, …) as it was raised, with {@code e} suppressed, not as
   * Lance's wrapping of it (a message carrying the Java stack trace through the C stream); else
   * {@code e}.
   */
  public final RuntimeException writeFailure(RuntimeException e) {
    RuntimeException own = failure;
    if (own == null || own == e) {
      return e;
    }
    own.addSuppressed(e);
    return own;
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() throws IOException {}

  @Override
  protected final Schema readSchema() {
    return schema;
  }

  @Override
  public void close() {
    try {
      super.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String splitNamesJson(List<String> names) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(names);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
