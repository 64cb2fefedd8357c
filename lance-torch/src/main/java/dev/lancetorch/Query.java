package dev.lancetorch;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.arrow.LanceStreams;
import dev.lancetorch.internal.arrow.Snapshot;
import dev.lancetorch.internal.arrow.SqlExpression;
import dev.lancetorch.internal.memory.ScanMemory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.lance.ipc.LanceScanner;
import org.lance.ipc.ScanOptions;

/**
 * A scan of a table: projection, SQL filter, limit/offset, row ids/addresses, batch size and
 * fragment selection. A plain builder (no native memory until {@link #toArrowReader()}); not
 * thread-safe, but any number of queries may run on one table concurrently.
 */
public final class Query {
  private final Table table;
  private List<String> columns;
  private String filter;
  private Long limit;
  private Long offset;
  private boolean withRowId;
  private boolean withRowAddress;
  private Integer batchSize;
  private Integer batchReadahead;
  private List<Integer> fragmentIds;

  Query(Table table) {
    this.table = table;
  }

  /**
   * @param columns columns to read, in this order
   * @return this
   */
  public Query select(String... columns) {
    return select(Arrays.asList(columns));
  }

  /**
   * @param columns columns to read, in this order; null for all
   * @return this
   */
  public Query select(List<String> columns) {
    this.columns = columns == null ? null : List.copyOf(columns);
    return this;
  }

  /**
   * @param sqlFilter SQL predicate; rows not matching are skipped
   * @return this
   * @throws IllegalArgumentException if the text is not one SQL expression (see {@link
   *     SqlExpression})
   */
  public Query where(String sqlFilter) {
    this.filter =
        sqlFilter == null
            ? null
            : SqlExpression.requireSingle(
                sqlFilter,
                "filter on table '" + table.nameUnchecked() + "' (" + table.uriUnchecked() + ")");
    return this;
  }

  /**
   * @param limit maximum number of rows (≥ 0)
   * @return this
   */
  public Query limit(long limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0: " + limit);
    }
    this.limit = limit;
    return this;
  }

  /**
   * @param offset rows to skip (≥ 0)
   * @return this
   */
  public Query offset(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0: " + offset);
    }
    this.offset = offset;
    return this;
  }

  /**
   * @param on add a {@code _rowid} (uint64) column
   * @return this
   */
  public Query withRowId(boolean on) {
    this.withRowId = on;
    return this;
  }

  /**
   * @param on add a {@code _rowaddr} (uint64) column
   * @return this
   */
  public Query withRowAddress(boolean on) {
    this.withRowAddress = on;
    return this;
  }

  /**
   * @param rows maximum rows per batch (&gt; 0)
   * @return this
   */
  public Query batchSize(int rows) {
    if (rows <= 0) {
      throw new IllegalArgumentException("batchSize must be > 0: " + rows);
    }
    this.batchSize = rows;
    return this;
  }

  /**
   * Batches Lance reads and decodes ahead of the consumer (its scan's {@code batch_readahead}; by
   * default Lance's own, about the cores). More keeps more requests in flight — what a sequential
   * read of object storage, 30 ms or more a request, needs — at the memory of that many batches.
   *
   * @param batches batches ahead (&gt; 0)
   * @return this
   */
  public Query batchReadahead(int batches) {
    if (batches <= 0) {
      throw new IllegalArgumentException("batchReadahead must be > 0: " + batches);
    }
    this.batchReadahead = batches;
    return this;
  }

  /**
   * @param ids fragments to scan, in this order
   * @return this
   */
  public Query fragmentIds(List<Integer> ids) {
    this.fragmentIds = ids == null ? null : List.copyOf(ids);
    return this;
  }

  /**
   * Runs the scan with the connection's allocator.
   *
   * @return a reader <b>owned by the caller</b>, who must close it; batches come straight from
   *     Lance's C stream (no copy). It keeps the snapshot it reads alive until closed.
   */
  public ArrowReader toArrowReader() {
    return toArrowReader(table.connection().allocatorUnchecked());
  }

  /**
   * @param allocator allocator the batches are imported into (borrowed; must outlive the reader)
   * @return a reader owned by the caller
   * @throws IllegalArgumentException on a missing column or an invalid filter
   */
  public ArrowReader toArrowReader(BufferAllocator allocator) {
    Snapshot.Lease lease = table.lease();
    LanceScanner scanner = null;
    try {
      ScanOptions options = options(lease.snapshot()); // validates columns first
      ArrowReader inner;
      try {
        scanner = LanceScanner.create(lease.snapshot().dataset, options, allocator);
        inner = scanner.scanBatches();
      } catch (RuntimeException e) {
        if (filter != null && !filter.isBlank()) {
          throw table.badFilter(filter, e);
        }
        throw e;
      }
      return new ScanReader(
          allocator, inner, scanner, lease, table.nameUnchecked(), table.uriUnchecked());
    } catch (RuntimeException | Error e) {
      try {
        ScanReader.closeScannerAndLease(scanner, lease);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Exports the scan as an Arrow C stream with the connection's allocator.
   *
   * @param preferred {@link ArrowStreamExport.Source#LANCE_NATIVE} for Lance's own stream (falls
   *     back to the Java exporter, logged once, when this lance-core does not offer it), or {@link
   *     ArrowStreamExport.Source#JAVA_EXPORT} to force Arrow Java's exporter
   * @return the export, <b>owned by the caller</b> (see {@link ArrowStreamExport} for the order of
   *     release); it keeps the snapshot it reads alive until closed
   */
  public ArrowStreamExport exportArrowStream(ArrowStreamExport.Source preferred) {
    return exportArrowStream(table.connection().allocatorUnchecked(), preferred);
  }

  /**
   * @param allocator allocator of the stream struct (and, for the Java exporter, of the batches);
   *     borrowed, must outlive the export and every batch taken from it
   * @param preferred see {@link #exportArrowStream(ArrowStreamExport.Source)}
   * @return the export, owned by the caller
   * @throws IllegalArgumentException on a missing column or an invalid filter
   */
  public ArrowStreamExport exportArrowStream(
      BufferAllocator allocator, ArrowStreamExport.Source preferred) {
    if (preferred == ArrowStreamExport.Source.LANCE_NATIVE && LanceStreams.available()) {
      return exportLanceStream(allocator);
    }
    LanceStreams.noteJavaExport(preferred == ArrowStreamExport.Source.JAVA_EXPORT);
    ArrowReader reader = toArrowReader(allocator);
    ArrowArrayStream stream = null;
    try {
      stream = ArrowArrayStream.allocateNew(allocator);
      Data.exportArrayStream(allocator, reader, stream); // from here the stream owns the reader
      return new ArrowStreamExport(
          ArrowStreamExport.Source.JAVA_EXPORT,
          stream,
          null,
          null,
          -1,
          0,
          table.nameUnchecked(),
          table.uriUnchecked());
    } catch (RuntimeException | Error e) {
      try {
        if (stream != null) {
          stream.close();
        }
        reader.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * As {@link #toArrowReader(BufferAllocator)}, but Lance writes the C stream and Java never
   * imports it.
   */
  private ArrowStreamExport exportLanceStream(BufferAllocator allocator) {
    Snapshot.Lease lease = table.lease();
    LanceScanner scanner = null;
    ArrowArrayStream stream = null;
    try {
      ScanOptions options = options(lease.snapshot()); // validates columns first
      try {
        scanner = LanceScanner.create(lease.snapshot().dataset, options, allocator);
        stream = ArrowArrayStream.allocateNew(allocator);
        LanceStreams.open(scanner, stream.memoryAddress());
      } catch (RuntimeException e) {
        if (filter != null && !filter.isBlank()) {
          throw table.badFilter(filter, e);
        }
        throw e;
      }
      long rows = scanRows(lease.snapshot());
      return new ArrowStreamExport(
          ArrowStreamExport.Source.LANCE_NATIVE,
          stream,
          scanner,
          lease,
          rows,
          ScanMemory.estimate(lease.snapshot().dataset.getSchema(), columns, rows),
          table.nameUnchecked(),
          table.uriUnchecked());
    } catch (RuntimeException | Error e) {
      try {
        if (stream != null) {
          stream.close(); // openStream failed: nothing was written into it
        }
        ScanReader.closeScannerAndLease(scanner, lease);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** At most how many rows the scan yields: its fragments' rows, after offset and limit. */
  private long scanRows(Snapshot snap) {
    long rows = 0;
    for (FragmentSize f : snap.fragments()) {
      if (fragmentIds == null || fragmentIds.contains(f.id())) {
        rows += f.numRows();
      }
    }
    if (offset != null) {
      rows = Math.max(0, rows - offset);
    }
    return limit != null ? Math.min(rows, limit) : rows;
  }

  private ScanOptions options(Snapshot snap) {
    ScanOptions.Builder b = new ScanOptions.Builder();
    if (columns != null) {
      TakeSupport.project(table, snap.dataset.getSchema(), columns);
      b.columns(new ArrayList<>(columns));
    }
    if (filter != null && !filter.isBlank()) {
      b.filter(filter);
    }
    if (limit != null) {
      b.limit(limit);
    }
    if (offset != null) {
      b.offset(offset);
    }
    if (batchSize != null) {
      b.batchSize(batchSize);
    }
    if (fragmentIds != null) {
      b.fragmentIds(new ArrayList<>(fragmentIds));
    }
    b.withRowId(withRowId);
    b.withRowAddress(withRowAddress);
    if (batchReadahead != null) {
      b.batchReadahead(batchReadahead);
    }
    return b.build();
  }
}
