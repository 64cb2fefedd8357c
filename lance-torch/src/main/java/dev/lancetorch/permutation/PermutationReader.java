package dev.lancetorch.permutation;

import dev.lancetorch.Table;
import dev.lancetorch.internal.arrow.Renames;
import dev.lancetorch.internal.arrow.SqlExpression;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.SchemaExports;
import dev.lancetorch.internal.cache.DiskColumnCache;
import dev.lancetorch.internal.memory.TensorMemory;
import dev.lancetorch.internal.permutation.LongArrayBuilder;
import dev.lancetorch.internal.permutation.RowStream;
import dev.lancetorch.internal.read.CacheHolder;
import dev.lancetorch.internal.read.EpochAddresses;
import dev.lancetorch.internal.read.MemoryCache;
import dev.lancetorch.internal.read.NativeColumnCache;
import dev.lancetorch.internal.read.ReadColumns;
import dev.lancetorch.internal.read.ReadCosts;
import dev.lancetorch.internal.read.RowReader;
import dev.lancetorch.internal.read.RowSelection;
import dev.lancetorch.internal.read.TensorRechunker;
import dev.lancetorch.internal.read.WindowReader;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Reads what a {@link PermutationSpec} describes through one open table handle: rows (scans, takes,
 * the read planner, the memory cache) and their formatting into the spec's output (format,
 * transform, renames, null fills). Built by a {@link Permutation} handle from its spec; it holds no
 * settings of its own, only what reading caches (the table's fragment list, the planner's view of
 * the columns). The handle owns the table, the cache and the schema exports; this reader borrows
 * them and must not be used after the handle is closed (the handle checks).
 *
 * @param <T> the batch type
 */
final class PermutationReader<T> {
  private final Table table;
  private final TableBase read;
  private final PermutationSpec spec;
  private final CacheHolder cache;
  private final SchemaExports exports;
  private volatile RowReader rows;
  private volatile ReadColumns readColumns;

  PermutationReader(Table table, PermutationSpec spec, CacheHolder cache, SchemaExports exports) {
    this.table = table;
    this.read = new TableBase(table);
    this.spec = spec;
    this.cache = cache;
    this.exports = exports;
  }

  /** The reader of the spec's columns (it caches the table's fragment list). */
  RowReader rows() {
    RowReader r = rows;
    if (r == null) {
      r =
          new RowReader(
              read,
              spec.columns(),
              cache,
              keptByTensorsOnly() ? TensorMemory.ALLOCATOR : table.allocator());
      rows = r;
    }
    return r;
  }

  /**
   * Checks that every offset is a row of the spec's selection.
   *
   * @throws IndexOutOfBoundsException for one that is not
   */
  void checkOffsets(long[] offsets) {
    long n = spec.selection().size();
    for (long o : offsets) {
      if (o < 0 || o >= n) {
        throw new IndexOutOfBoundsException(
            "offset "
                + o
                + " out of range: permutation of table '"
                + table.name()
                + "' has "
                + n
                + " rows");
      }
    }
  }

  /** The rows at these offsets of the spec's selection, read the plain way, as one batch. */
  T take(long[] offsets) {
    return format(spec.selection().read(rows(), offsets));
  }

  /**
   * The rows of the spec's selection whose base-table row matches {@code sqlFilter}, in the same
   * order (reads the matching row addresses once, 8 bytes per matching row).
   *
   * @throws IllegalArgumentException if the filter does not parse or names a missing column
   */
  RowSelection filter(String sqlFilter) {
    SqlExpression.requireSingle(
        Objects.requireNonNull(sqlFilter, "filter"), "filter on table '" + table.name() + "'");
    long[] matching;
    try (RowStream rows = RowStream.open(read, sqlFilter, null)) {
      LongArrayBuilder b = new LongArrayBuilder();
      while (rows.next()) {
        for (int i = 0; i < rows.size; i++) {
          b.add(rows.addrs[i]);
        }
      }
      matching = b.toArray(); // storage order = ascending addresses
    }
    Arrays.sort(matching);
    long[] mine = spec.selection().addresses(0, spec.selection().size(), read);
    LongArrayBuilder kept = new LongArrayBuilder();
    for (long a : mine) {
      if (Arrays.binarySearch(matching, a) >= 0) {
        kept.add(a);
      }
    }
    return RowSelection.addresses(kept.toArray());
  }

  /** Formats an Arrow batch (takes ownership of it). */
  @SuppressWarnings("unchecked")
  T format(VectorSchemaRoot root) {
    ArrowBatch batch = new ArrowBatch(Renames.apply(root, spec.renames()));
    if (spec.transform() != null) {
      try (batch) {
        return (T) spec.transform().apply(batch);
      }
    }
    return (T)
        BatchFormatter.format(
            spec.format(), batch, exports, spec.nullFill().renamed(spec.renames()));
  }

  /** Formats a batch from the planner (takes ownership of it). */
  T format(NativeBatch batch) {
    if (keptByTensorsOnly()) {
      try (batch) {
        return format(List.of(new TensorRechunker.Piece(batch, 0, batch.numRows())));
      }
    }
    VectorSchemaRoot root;
    try (batch) {
      root = batch.toArrow(readColumns().schema(), table.allocator());
    }
    return format(root);
  }

  /** Formats pieces of native tensor batches (a re-chunked scan or planner output). */
  @SuppressWarnings("unchecked")
  T format(List<TensorRechunker.Piece> pieces) {
    return (T)
        BatchFormatter.formatPieces(
            spec.format(), pieces, spec.columns(), spec.renames(), spec.nullFill());
  }

  /**
   * True when the Arrow buffers of a batch end up referenced only by tensors (tensor formats
   * without a transform): they are then allocated from {@link TensorMemory#ALLOCATOR}, so tensors a
   * caller keeps never hold up the table's connection allocator.
   */
  private boolean keptByTensorsOnly() {
    return spec.transform() == null && spec.format().isTorch();
  }

  /** True when batches come straight from the native tensor scan (runs in a tensor format). */
  boolean readsTensorsNatively() {
    return keptByTensorsOnly() && spec.selection().scansInOrder();
  }

  /**
   * The planner over the addresses {@code addrs} (the permutation's order, or a worker's share) in
   * batches of {@code size}, or null when it does not apply (see below).
   */
  WindowReader windowReader(long[] addrs, int size, WindowReader.Stats stats) {
    return windowReader(addrs, WindowReader.uniformSizes(addrs.length, size), stats);
  }

  /**
   * The planner over the addresses {@code addrs} in batches of {@code sizes} (summing to {@code
   * addrs.length}), or null when it does not apply (read-ahead off, columns not fixed-width, a
   * Java-side memory cache).
   */
  WindowReader windowReader(long[] addrs, int[] sizes, WindowReader.Stats stats) {
    return windowReader(EpochAddresses.of(addrs, sizes), stats);
  }

  /** The planner over {@code plan}'s batches, or null when it does not apply (as above). */
  WindowReader windowReader(EpochAddresses plan, WindowReader.Stats stats) {
    if (spec.readAheadBytes() == 0) {
      return null;
    }
    ReadColumns cols = readColumns();
    if (cols == null) {
      return null;
    }
    MemoryCache c = rows().cached();
    if (c != null && !(c instanceof NativeColumnCache)) {
      return null;
    }
    WindowReader w =
        new WindowReader(
            read,
            cols,
            plan,
            spec.readAheadBytes(),
            (NativeColumnCache) c,
            stats,
            ReadCosts.DEFAULT);
    // the disk tier serves what the RAM tier does not hold
    if (c == null && cache != null) {
      DiskColumnCache d = cache.disk(read, cols);
      if (d != null) {
        w.useDiskCache(d, read);
      }
    }
    return w;
  }

  /**
   * The read planner's view of the selected columns (computed once), or null when it cannot read
   * them.
   */
  private ReadColumns readColumns() {
    ReadColumns cols = readColumns;
    if (cols == null) {
      cols = ReadColumns.sampled(read, spec.columns());
      readColumns = cols;
    }
    return cols;
  }

  /**
   * Fills the disk cache of the planner's columns for every fragment of this version that fits,
   * waiting for the fills (a no-op without a disk tier).
   */
  void fillCache() {
    ReadColumns cols = readColumns();
    DiskColumnCache d = cols == null || cache == null ? null : cache.disk(read, cols);
    if (d == null) {
      return;
    }
    d.use(read, read.fragments()).awaitFills();
  }
}
