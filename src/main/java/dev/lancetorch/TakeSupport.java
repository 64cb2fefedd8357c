package dev.lancetorch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Random access by offset or row id with the result in <em>request</em> order.
 *
 * <p>Lance returns take results sorted by row address, deduplicated. So: validate every request
 * against the snapshot's fragments (before calling Lance), ask Lance for the sorted distinct
 * values, work out the address order Lance will answer in, then copy rows into the output in
 * request order (duplicates repeat the row).
 */
final class TakeSupport {
  private TakeSupport() {}

  static VectorSchemaRoot take(
      Table table, Snapshot snap, long[] request, List<String> columns, BufferAllocator allocator, boolean rowIds) {
    if (request == null) {
      throw new IllegalArgumentException("request must not be null (table '" + table.nameUnchecked() + "')");
    }
    if (rowIds) {
      validateRowIds(table, snap, request);
    } else {
      validateOffsets(table, snap, request);
    }
    long[] uniq = request.clone();
    Arrays.sort(uniq);
    int u = 0;
    for (int i = 0; i < uniq.length; i++) {
      if (i == 0 || uniq[i] != uniq[i - 1]) {
        uniq[u++] = uniq[i];
      }
    }
    uniq = Arrays.copyOf(uniq, u);
    if (uniq.length == 0) {
      return VectorSchemaRoot.create(project(table, snap.dataset.getSchema(), columns), allocator);
    }
    int[] rank = rowIds ? identity(uniq.length) : addressRank(snap, uniq);
    List<String> cols = columns != null ? columns
        : snap.dataset.getSchema().getFields().stream().map(Field::getName).toList();
    List<Long> ask = new ArrayList<>(uniq.length);
    for (long v : uniq) {
      ask.add(v);
    }
    try (ArrowReader reader = rowIds ? snap.dataset.takeRows(ask, cols) : snap.dataset.take(ask, cols);
        VectorSchemaRoot gathered = VectorSchemaRoot.create(reader.getVectorSchemaRoot().getSchema(), allocator)) {
      gathered.allocateNew();
      int row = 0;
      while (reader.loadNextBatch()) {
        VectorSchemaRoot batch = reader.getVectorSchemaRoot();
        for (int c = 0; c < batch.getFieldVectors().size(); c++) {
          FieldVector src = batch.getVector(c);
          FieldVector dst = gathered.getVector(c);
          for (int r = 0; r < batch.getRowCount(); r++) {
            dst.copyFromSafe(r, row + r, src);
          }
        }
        row += batch.getRowCount();
      }
      if (row != uniq.length) {
        throw new IllegalStateException("Lance returned " + row + " rows for " + uniq.length
            + " distinct " + (rowIds ? "row ids (some refer to deleted rows)" : "offsets") + " of table '"
            + table.nameUnchecked() + "' (" + table.uriUnchecked() + ") at version " + snap.version);
      }
      gathered.setRowCount(row);
      VectorSchemaRoot out = VectorSchemaRoot.create(gathered.getSchema(), allocator);
      try {
        out.allocateNew();
        for (int c = 0; c < out.getFieldVectors().size(); c++) {
          FieldVector src = gathered.getVector(c);
          FieldVector dst = out.getVector(c);
          for (int p = 0; p < request.length; p++) {
            dst.copyFromSafe(rank[Arrays.binarySearch(uniq, request[p])], p, src);
          }
        }
        out.setRowCount(request.length);
        return out;
      } catch (RuntimeException | Error e) {
        out.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("take from table '" + table.nameUnchecked() + "' (" + table.uriUnchecked() + ") failed", e);
    }
  }

  private static int[] identity(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  /**
   * For sorted distinct offsets, the index of each in Lance's answer, which is ordered by row
   * address = (fragment id, position inside the fragment). Within a fragment, live-row order is
   * physical order, so (fragment id, local offset) sorts the same way even with deletions.
   */
  private static int[] addressRank(Snapshot snap, long[] uniq) {
    List<FragmentInfo> frags = snap.fragments();
    long[] fragId = new long[uniq.length];
    long[] local = new long[uniq.length];
    int k = 0;
    long start = 0;
    boolean ascending = true;
    for (int i = 0; i < uniq.length; i++) {
      while (uniq[i] >= start + frags.get(k).numRows()) {
        start += frags.get(k).numRows();
        k++;
      }
      fragId[i] = frags.get(k).id();
      local[i] = uniq[i] - start;
      if (i > 0 && fragId[i] < fragId[i - 1]) {
        ascending = false;
      }
    }
    if (ascending) {
      return identity(uniq.length);
    }
    Integer[] order = new Integer[uniq.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> fragId[a] != fragId[b] ? Long.compare(fragId[a], fragId[b]) : Long.compare(local[a], local[b]));
    int[] rank = new int[uniq.length];
    for (int pos = 0; pos < order.length; pos++) {
      rank[order[pos]] = pos;
    }
    return rank;
  }

  private static void validateOffsets(Table table, Snapshot snap, long[] offsets) {
    long total = snap.rowCount();
    for (long o : offsets) {
      if (o < 0 || o >= total) {
        throw new IndexOutOfBoundsException("offset " + o + " out of range [0, " + total + ") for table '"
            + table.nameUnchecked() + "' (" + table.uriUnchecked() + ") at version " + snap.version);
      }
    }
  }

  private static void validateRowIds(Table table, Snapshot snap, long[] rowIds) {
    if (snap.dataset.hasStableRowIds()) {
      throw new UnsupportedOperationException("takeRowIds on table '" + table.nameUnchecked() + "' (" + table.uriUnchecked()
          + "): datasets with stable row ids are not supported yet");
    }
    Map<Integer, FragmentInfo> byId = new HashMap<>();
    for (FragmentInfo f : snap.fragments()) {
      byId.put(f.id(), f);
    }
    for (long id : rowIds) {
      FragmentInfo f = id < 0 ? null : byId.get((int) (id >>> 32));
      long local = id & 0xFFFFFFFFL;
      if (f == null || (id >>> 32) > Integer.MAX_VALUE || local >= f.physicalRows()) {
        throw new IndexOutOfBoundsException("row id " + id + " (fragment " + (id >>> 32) + ", row " + local
            + ") does not exist in table '" + table.nameUnchecked() + "' (" + table.uriUnchecked() + ") at version " + snap.version);
      }
    }
  }

  static Schema project(Table table, Schema schema, List<String> columns) {
    if (columns == null) {
      return schema;
    }
    List<Field> fields = new ArrayList<>();
    for (String c : columns) {
      fields.add(findField(table, schema, c));
    }
    return new Schema(fields, schema.getCustomMetadata());
  }

  static Field findField(Table table, Schema schema, String column) {
    for (Field f : schema.getFields()) {
      if (f.getName().equals(column)) {
        return f;
      }
    }
    throw new IllegalArgumentException("column '" + column + "' not found in table '" + table.nameUnchecked() + "' ("
        + table.uriUnchecked() + "); columns: " + schema.getFields().stream().map(Field::getName).toList());
  }
}
