package dev.lancetorch.internal.read;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.bridge.FragmentSources;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.NativeScan;
import dev.lancetorch.internal.bridge.TorchGather;
import dev.lancetorch.internal.cache.CacheSource;
import dev.lancetorch.internal.cache.DiskColumnCache;
import dev.lancetorch.internal.permutation.PermutationPlan;
import dev.lancetorch.internal.permutation.RowStream;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The fragment reads of the read planner ({@link WindowReader}): one <em>part</em> of a window (a
 * fragment's wanted rows, or an equal range of its row offsets — {@link FragmentRows}) read into
 * its window positions of a {@link TorchGather}, by a range scan merged against the wanted
 * addresses or by one coalesced take, whichever {@link ReadCosts} finds cheaper ({@link
 * #readPart}). Also the table's fragments by id and the error for a wanted address no read returns.
 *
 * <p>Ownership: borrows the table, the gather and the parts; every scan and batch it opens it
 * closes before returning. Thread-safe: parts are read in parallel on the read threads (the
 * counters are updated under the stats' monitor, the fragment list under its own lock).
 */
final class FragmentReader {
  private final ReadTable table;
  private final ReadColumns cols;
  private final ReadCosts costs;
  private final WindowReader.Stats stats;
  private final Object fragmentsLock = new Object();
  private FragmentSize[] fragments;
  private DiskColumnCache disk;
  private CacheSource diskSource;
  private volatile DiskColumnCache.View diskView;

  FragmentReader(ReadTable table, ReadColumns cols, ReadCosts costs, WindowReader.Stats stats) {
    this.table = table;
    this.cols = cols;
    this.costs = costs;
    this.stats = stats;
  }

  /**
   * Serves fragments from {@code disk} (borrowed) once cached, filling them from {@code source};
   * set before the first read.
   */
  void useDiskCache(DiskColumnCache disk, CacheSource source) {
    this.disk = disk;
    this.diskSource = source;
  }

  /**
   * The disk cache's view of the table's fragments (opened on first use), or null; its fills are
   * started now unless {@code startFills} is false (see {@link #startFills()}).
   */
  private DiskColumnCache.View diskView(boolean startFills) {
    DiskColumnCache d = disk;
    if (d == null) {
      return null;
    }
    DiskColumnCache.View v = diskView;
    if (v == null) {
      synchronized (fragmentsLock) {
        v = diskView;
        if (v == null) {
          v = d.use(diskSource, table.fragments(), false);
          diskView = v;
        }
      }
    }
    if (startFills) {
      v.startFills();
    }
    return v;
  }

  private DiskColumnCache.View diskView() {
    return diskView(true);
  }

  /**
   * Starts the disk cache's fills of the fragments not on disk yet (once): every read does, but the
   * first window of an epoch that fills the cache, whose take would share Lance's threads with the
   * fills (a first batch of 16,384 rows waited 0.9–1.8 s for them).
   */
  void startFills() {
    diskView(true);
  }

  /**
   * Runs {@code reads} over the disk cache's batches of every fragment of the table when all are
   * cached (an epoch after the fill), kept alive until it returns; false (nothing run) otherwise.
   *
   * @param rows the rows {@code reads} gathers (for the counters)
   */
  boolean readAllCached(int rows, Consumer<FragmentSources> reads) {
    DiskColumnCache.View dv = diskView();
    if (dv == null || !dv.withAllCached(rows, reads)) {
      return false;
    }
    countCacheGather();
    return true;
  }

  /** True when a disk cache serves this reader and some fragment of it is not cached yet. */
  boolean fillsPending() {
    DiskColumnCache.View dv = diskView(false);
    return dv != null && !dv.allCached();
  }

  /**
   * Epoch 1 of a disk cache: when every fragment a window's addresses {@code addrs[0, rows)} touch
   * is cached or will be (the view's fills of every cacheable fragment have started by now), waits
   * for those fills — running a fill here, on the fill threads, that has not started yet — then
   * runs {@code reads} over the cached fragments, as a later epoch does. The fill reads each
   * fragment once in this epoch anyway, so waiting for it costs no read, where taking the window's
   * rows through the planner meanwhile is a second read of them that shares the threads (and on
   * object storage the requests) with the fills: {@code vec} over {@code s3://}, batch 16384, epoch
   * 1 in a warm JVM 5.46 s against 7.16 s with those takes (2026-12-07, one run each); local epochs
   * within noise. When the view's fragments do not all fit the budget ({@link
   * DiskColumnCache.View#fitsBudget}) some fills will be thrown away, and windows touching those
   * fragments go through the planner anyway: then only a fill the window's own reads would run (its
   * rows spread over a quarter of the fragment or more, a scan beating a take) is waited for (cols4
   * of the 16M-row table, half of it fitting, epoch 1 in a new JVM: 3.1–3.3 M rows/s waiting for
   * every fill, 3.2–3.7 with this rule, 2.9 without a cache; 2026-12-07, two runs each). False
   * (nothing read; fills done stay done) when some touched fragment is not cacheable (over the
   * budget, a failed fill, the cache off) or not waited for: the window is read through the
   * planner.
   */
  boolean fillThenReadCached(long[] addrs, int rows, Consumer<FragmentSources> reads) {
    DiskColumnCache.View dv = diskView();
    if (dv == null) {
      return false;
    }
    FragmentSize[] byId = byId();
    int n = byId.length;
    // the rows' spread per fragment matters only over the budget (below): otherwise only which
    // fragments the window touches
    boolean spread = !dv.fitsBudget();
    boolean[] touched = new boolean[n];
    long[] count = spread ? new long[n] : null;
    long[] min = spread ? new long[n] : null;
    long[] max = spread ? new long[n] : null;
    for (int i = 0; i < rows; i++) {
      long a = addrs[i];
      long id = a >>> 32;
      if (id >= n || byId[(int) id] == null) {
        return false; // the planner's read names the missing address
      }
      int f = (int) id;
      if (!spread) {
        touched[f] = true;
        continue;
      }
      long off = a & 0xFFFFFFFFL;
      if (!touched[f]) {
        touched[f] = true;
        min[f] = off;
        max[f] = off;
      }
      count[f]++;
      min[f] = Math.min(min[f], off);
      max[f] = Math.max(max[f], off);
    }
    List<Runnable> fills = new java.util.ArrayList<>();
    for (int id = 0; id < n; id++) {
      if (!touched[id] || dv.cached(id)) {
        continue;
      }
      FragmentSize info = byId[id];
      if (!dv.cacheable(id)) {
        return false;
      }
      // over the budget some fills will be thrown away: wait only for one this window's own read
      // would run anyway (its rows spread over a quarter of the fragment or more, a scan beating a
      // take), else read the window through the planner, as without a cache
      if (spread) {
        long span = max[id] - min[id] + 1;
        if (span * 4 < info.numRows() || !costs.scanBeatsTake(count[id], span, cols.rowBytes())) {
          return false;
        }
      }
      fills.add(() -> dv.fillNow(info));
    }
    // on the fill threads (where the view's own fills of these fragments are queued already), not
    // the read threads: an epoch's first window, read meanwhile, takes its rows on those
    List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
    for (Runnable fill : fills) {
      running.add(ReadThreads.fill(fill));
    }
    for (java.util.concurrent.Future<?> f : running) {
      ReadThreads.await(f);
    }
    if (!dv.withCached(touched, rows, reads)) {
      return false;
    }
    countCacheGather();
    return true;
  }

  /**
   * How many parts a fragment's read is split into: one per read thread when each part still has
   * {@link ReadCosts#minTakePartRows()} wanted rows and covers {@link ReadCosts#minScanPartRows()}
   * rows of the fragment, fewer otherwise, at least one.
   */
  int partsOf(int wantedRows, long physicalRows) {
    long p =
        Math.min(
            ReadThreads.threads(),
            Math.min(wantedRows / costs.minTakePartRows(), physicalRows / costs.minScanPartRows()));
    return (int) Math.max(1, p);
  }

  /**
   * Reads one part's wanted rows into their window positions of {@code g}, by scan or take. A scan
   * merges against a dense map of the wanted rows ({@link FragmentRows#dense}: no sort), or, when a
   * row is wanted twice, against the sorted rows; a take sorts them. Runs on a read thread, in
   * parallel with the window's other parts (the gather takes disjoint positions).
   *
   * @param info the part's fragment (every address of the part is in it)
   * @param takeOnly take the rows (the first window of an epoch that fills a disk cache: a batch
   *     served at once, not after a scan or a fill)
   */
  void readPart(TorchGather g, FragmentRows fr, FragmentSize info, boolean takeOnly) {
    int id = info.id();
    DiskColumnCache.View dv = diskView(!takeOnly);
    if (dv != null && dv.gather(g, id, fr.addr, fr.pos, fr.n, this::missing)) {
      countCacheGather();
      return;
    }
    fr.bounds();
    long deleted = info.physicalRows() - info.numRows();
    long lo = fr.min & 0xFFFFFFFFL;
    long hi = fr.max & 0xFFFFFFFFL;
    long scanFrom = Math.max(0, lo - deleted);
    long scanRows = Math.min(info.numRows(), hi + 1) - scanFrom;
    boolean scanWins = !takeOnly && costs.scanBeatsTake(fr.n, scanRows, cols.rowBytes());
    // a scan of a quarter or more of a fragment the disk cache will hold: fill it now (that scan,
    // plus writing the file) and gather from the file, instead of reading the fragment twice
    if (scanWins
        && dv != null
        && scanRows * 4 >= info.numRows()
        && dv.cacheable(id)
        && dv.fillAndGather(info, g, fr.addr, fr.pos, fr.n, this::missing)) {
      countCacheGather();
      return;
    }
    if (scanWins) {
      int[] dense = fr.dense();
      if (dense != null) {
        scanDense(g, id, fr, dense, scanFrom, scanRows);
      } else {
        fr.sort();
        scan(g, id, fr, scanFrom, scanRows);
      }
    } else {
      fr.sort();
      take(g, fr);
    }
  }

  /** The scan of rows [offset, offset + count) of a fragment, with row addresses. */
  private NativeScan openScan(int fragmentId, long offset, long count) {
    return table.nativeScan(
        ReadScan.of(cols.dataColumns(), WindowReader.SCAN_BATCH_ROWS)
            .withRowAddress(true)
            .fragment(fragmentId)
            .offset(offset)
            .limit(count));
  }

  /**
   * Scans rows [offset, offset + count) of the fragment, merging against the part's dense map of
   * wanted rows; a row still wanted after the scan is missing.
   */
  private void scanDense(
      TorchGather g, int fragmentId, FragmentRows fr, int[] dense, long offset, long count) {
    count(1, 0, 0);
    long found = 0;
    try (NativeScan s = openScan(fragmentId, offset, count)) {
      NativeBatch next;
      while (found < fr.n && (next = s.next()) != null) {
        try (NativeBatch b = next) {
          count(0, 0, b.numRows());
          found += g.mergeDense(b, RowStream.ROW_ADDR, dense, fr.min);
        }
      }
    }
    if (found < fr.n) {
      for (int i = 0; i < dense.length; i++) {
        if (dense[i] != 0) {
          throw missing(fr.min + i);
        }
      }
    }
  }

  /** Scans rows [offset, offset + count) of the fragment, merging the part's wanted rows. */
  private void scan(TorchGather g, int fragmentId, FragmentRows fr, long offset, long count) {
    count(1, 0, 0);
    int n = fr.n;
    int cursor = 0;
    try (NativeScan s = openScan(fragmentId, offset, count)) {
      NativeBatch next;
      while (cursor < n && (next = s.next()) != null) {
        try (NativeBatch b = next) {
          count(0, 0, b.numRows());
          cursor = g.merge(b, RowStream.ROW_ADDR, fr.addr, fr.pos, 0, n, cursor);
        }
      }
    }
    if (cursor < n) {
      throw missing(fr.addr[cursor]);
    }
  }

  /** Takes the part's wanted rows (each distinct address once). */
  private void take(TorchGather g, FragmentRows fr) {
    count(0, 1, 0);
    int n = fr.n;
    long[] uniq = new long[n];
    long[] srcRows = new long[n];
    int u = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || fr.addr[i] != fr.addr[i - 1]) {
        uniq[u++] = fr.addr[i];
      }
      srcRows[i] = u - 1;
    }
    long[] ask = java.util.Arrays.copyOf(uniq, u);
    try (VectorSchemaRoot root = table.takeRowIds(ask, cols.dataColumns(), null);
        NativeBatch b = NativeBatch.fromRoot(root, table.allocator())) {
      g.rows(b, srcRows, fr.pos, 0, n);
    }
  }

  private void countCacheGather() {
    synchronized (stats) {
      stats.cacheGathers++;
    }
  }

  /** Adds to the reader's scan and take counts. */
  private void count(long scans, long takes, long rowsScanned) {
    synchronized (stats) {
      stats.scans += scans;
      stats.takes += takes;
      stats.rowsScanned += rowsScanned;
    }
  }

  /** The table's fragments indexed by id (null where no fragment has that id). */
  FragmentSize[] byId() {
    synchronized (fragmentsLock) { // not the reader's monitor: next() holds it while a window reads
      return fragmentsByIdLocked();
    }
  }

  private FragmentSize[] fragmentsByIdLocked() {
    if (fragments == null) {
      List<FragmentSize> all = table.fragments();
      int max = all.stream().mapToInt(FragmentSize::id).max().orElse(-1);
      fragments = new FragmentSize[max + 1];
      for (FragmentSize f : all) {
        fragments[f.id()] = f;
      }
    }
    return fragments;
  }

  /** The error for a wanted address that no read returns (deleted, nonexistent). */
  IllegalArgumentException missing(long addr) {
    return new IllegalArgumentException(
        "row address "
            + PermutationPlan.addressString(addr)
            + " does not exist in"
            + " table '"
            + table.name()
            + "' at version "
            + table.version()
            + " (deleted or out of range)");
  }
}
