package dev.lancetorch;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.arrow.Snapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.lance.ipc.LanceScanner;

/**
 * Random access by offset or row id with the result in <em>request</em> order.
 *
 * <p>Validate every request against the snapshot's fragments (before calling Lance), turn the
 * sorted distinct values into row addresses, read them with {@link SafeTake} (a filtered scan,
 * never Lance's take: see there), find each address's row by the {@code _rowid} column, then copy
 * rows into the output in request order (duplicates repeat the row).
 */
final class TakeSupport {
  private TakeSupport() {}

  static VectorSchemaRoot take(
      Table table,
      Snapshot snap,
      long[] request,
      List<String> columns,
      BufferAllocator allocator,
      boolean rowIds) {
    if (request == null) {
      throw new IllegalArgumentException(
          "request must not be null (table '" + table.nameUnchecked() + "')");
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
    Schema projected = project(table, snap.dataset.getSchema(), columns);
    if (uniq.length == 0) {
      return VectorSchemaRoot.create(projected, allocator);
    }
    long[] addrs =
        rowIds ? uniq : RowAddresses.ofOffsets(table, snap, uniq); // addrs[k]: the row of uniq[k]
    List<String> cols = projected.getFields().stream().map(Field::getName).toList();
    if (snap.dataset.hasStableRowIds()) {
      throw new UnsupportedOperationException(
          "take from table '"
              + table.nameUnchecked()
              + "' ("
              + table.uriUnchecked()
              + "): datasets with stable row ids are not supported yet");
    }
    long[] sorted = sortedCopy(addrs);
    try (LanceScanner scanner =
            SafeTake.open(snap, sorted, cols, table.connection().allocatorUnchecked());
        ArrowReader reader = scanner.scanBatches();
        VectorSchemaRoot gathered = VectorSchemaRoot.create(projected, allocator)) {
      gathered.allocateNew();
      int[] rowOfSorted = new int[sorted.length]; // where the row of sorted[i] landed in gathered
      Arrays.fill(rowOfSorted, -1);
      int row = 0;
      while (reader.loadNextBatch()) {
        VectorSchemaRoot batch = reader.getVectorSchemaRoot();
        BaseIntVector ids = (BaseIntVector) batch.getVector(SafeTake.ROW_ID);
        for (int c = 0; c < cols.size(); c++) {
          FieldVector src = batch.getVector(cols.get(c));
          FieldVector dst = gathered.getVector(c);
          for (int r = 0; r < batch.getRowCount(); r++) {
            dst.copyFromSafe(r, row + r, src);
          }
        }
        for (int r = 0; r < batch.getRowCount(); r++) {
          int k = Arrays.binarySearch(sorted, ids.getValueAsLong(r));
          if (k >= 0 && rowOfSorted[k] < 0) {
            rowOfSorted[k] = row + r;
          }
        }
        row += batch.getRowCount();
      }
      long found = Arrays.stream(rowOfSorted).filter(r -> r >= 0).count();
      if (found != uniq.length) {
        throw new IllegalStateException(
            "Lance returned "
                + found
                + " rows for "
                + uniq.length
                + " distinct "
                + (rowIds ? "row ids (some refer to deleted rows)" : "offsets")
                + " of table '"
                + table.nameUnchecked()
                + "' ("
                + table.uriUnchecked()
                + ") at version "
                + snap.version);
      }
      gathered.setRowCount(row);
      VectorSchemaRoot out = VectorSchemaRoot.create(projected, allocator);
      try {
        out.allocateNew();
        int[] source = new int[request.length];
        for (int p = 0; p < request.length; p++) {
          long addr = addrs[Arrays.binarySearch(uniq, request[p])];
          source[p] = rowOfSorted[Arrays.binarySearch(sorted, addr)];
        }
        for (int c = 0; c < out.getFieldVectors().size(); c++) {
          FieldVector src = gathered.getVector(c);
          FieldVector dst = out.getVector(c);
          for (int p = 0; p < request.length; p++) {
            dst.copyFromSafe(source[p], p, src);
          }
        }
        out.setRowCount(request.length);
        return out;
      } catch (RuntimeException | Error e) {
        out.close();
        throw e;
      }
    } catch (IOException e) {
      throw LanceErrors.classify(
          "taking rows (version " + snap.version + ") from",
          table.nameUnchecked(),
          table.uriUnchecked(),
          e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(
          "closing a Lance scanner of table '" + table.nameUnchecked() + "' failed", e);
    }
  }

  private static long[] sortedCopy(long[] values) {
    long[] s = values.clone();
    Arrays.sort(s);
    return s;
  }

  private static void validateOffsets(Table table, Snapshot snap, long[] offsets) {
    long total = snap.rowCount();
    for (long o : offsets) {
      if (o < 0 || o >= total) {
        throw new IndexOutOfBoundsException(
            "offset "
                + o
                + " out of range [0, "
                + total
                + ") for table '"
                + table.nameUnchecked()
                + "' ("
                + table.uriUnchecked()
                + ") at version "
                + snap.version);
      }
    }
  }

  private static void validateRowIds(Table table, Snapshot snap, long[] rowIds) {
    if (snap.dataset.hasStableRowIds()) {
      throw new UnsupportedOperationException(
          "takeRowIds on table '"
              + table.nameUnchecked()
              + "' ("
              + table.uriUnchecked()
              + "): datasets with stable row ids are not supported yet");
    }
    Map<Integer, FragmentSize> byId = new HashMap<>();
    for (FragmentSize f : snap.fragments()) {
      byId.put(f.id(), f);
    }
    for (long id : rowIds) {
      FragmentSize f = id < 0 ? null : byId.get((int) (id >>> 32));
      long local = id & 0xFFFFFFFFL;
      if (f == null || (id >>> 32) > Integer.MAX_VALUE || local >= f.physicalRows()) {
        throw new IndexOutOfBoundsException(
            "row id "
                + id
                + " (fragment "
                + (id >>> 32)
                + ", row "
                + local
                + ") does not exist in table '"
                + table.nameUnchecked()
                + "' ("
                + table.uriUnchecked()
                + ") at version "
                + snap.version);
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
    throw new IllegalArgumentException(
        "column '"
            + column
            + "' not found in table '"
            + table.nameUnchecked()
            + "' ("
            + table.uriUnchecked()
            + "); columns: "
            + schema.getFields().stream().map(Field::getName).toList());
  }
}
