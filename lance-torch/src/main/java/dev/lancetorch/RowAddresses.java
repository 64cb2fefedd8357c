package dev.lancetorch;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.arrow.Snapshot;
import java.io.IOException;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.lance.ipc.LanceScanner;
import org.lance.ipc.ScanOptions;

/**
 * Row addresses ({@code fragment << 32 | physical row}) of storage-order offsets of one snapshot.
 */
final class RowAddresses {
  private RowAddresses() {}

  /**
   * @param offsets sorted, distinct, validated offsets (deleted rows not counted)
   * @return the address of each offset, index for index: computed from fragment sizes, or — in
   *     fragments with deleted rows — read with one {@code _rowaddr} scan (no data columns) of the
   *     requested window of that fragment
   */
  static long[] ofOffsets(Table table, Snapshot snap, long[] offsets) {
    List<FragmentSize> frags = snap.fragments();
    long[] out = new long[offsets.length];
    int k = 0;
    long start = 0;
    int i = 0;
    while (i < offsets.length) {
      while (offsets[i] >= start + frags.get(k).numRows()) {
        start += frags.get(k).numRows();
        k++;
      }
      FragmentSize f = frags.get(k);
      int j = i;
      while (j < offsets.length && offsets[j] < start + f.numRows()) {
        j++;
      }
      long hi = (long) f.id() << 32;
      if (f.numRows() == f.physicalRows()) {
        for (int p = i; p < j; p++) {
          out[p] = hi | (offsets[p] - start);
        }
      } else {
        long first = offsets[i] - start;
        long[] window =
            liveAddresses(table, snap, f.id(), first, offsets[j - 1] - start - first + 1);
        for (int p = i; p < j; p++) {
          out[p] = window[(int) (offsets[p] - start - first)];
        }
      }
      i = j;
    }
    return out;
  }

  private static long[] liveAddresses(
      Table table, Snapshot snap, int fragment, long offset, long count) {
    ScanOptions options =
        new ScanOptions.Builder()
            .columns(List.of())
            .withRowAddress(true)
            .fragmentIds(List.of(fragment))
            .offset(offset)
            .limit(count)
            .build();
    long[] out = new long[Math.toIntExact(count)];
    int n = 0;
    try (LanceScanner scanner =
            LanceScanner.create(snap.dataset, options, table.connection().allocatorUnchecked());
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        BaseIntVector a = (BaseIntVector) root.getVector("_rowaddr");
        for (int r = 0; r < root.getRowCount() && n < out.length; r++) {
          out[n++] = a.getValueAsLong(r);
        }
      }
    } catch (IOException e) {
      throw LanceErrors.classify(
          "reading row addresses of", table.nameUnchecked(), table.uriUnchecked(), e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(
          "closing a Lance scanner of table '" + table.nameUnchecked() + "' failed", e);
    }
    if (n != out.length) {
      throw new IllegalStateException(
          "fragment "
              + fragment
              + " of table '"
              + table.nameUnchecked()
              + "' has "
              + n
              + " live rows from offset "
              + offset
              + " where "
              + count
              + " were expected");
    }
    return out;
  }
}
