package dev.lancetorch.internal.read;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.bridge.FragmentSources;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.NativeHeap;
import dev.lancetorch.internal.bridge.TorchGather;
import dev.lancetorch.internal.cache.CacheSource;
import dev.lancetorch.internal.cache.DiskColumnCache;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The read planner: reads a known sequence of row addresses (a shuffled permutation's order, a
 * worker's share of batches) as exact-size batches, a <em>window</em> of upcoming batches at a
 * time. A window holds as many whole batches as fit in the read-ahead budget ({@code
 * Permutation.withReadAhead}; at least one batch). Its addresses are grouped per fragment (and per
 * range of a fragment's rows) into parts, and {@link FragmentReader} reads each part the cheaper
 * way by {@link ReadCosts}: a range scan of the rows covering the wanted ones (Lance's native Arrow
 * C stream, row addresses included) merged natively against the sorted wanted addresses, or one
 * coalesced take of exactly the wanted rows; or, with a memory cache, a native gather from it.
 * Either way native code ({@link TorchGather}) copies each row straight into its position in its
 * output batch, so the order delivered is exactly the requested one and every batch has its exact
 * size. Columns: those {@link ReadColumns} takes — fixed-width ones, and variable-length ones
 * (lists of integers or floats, binary, utf8, their large forms), whose rows the gather copies at
 * each read and lays out as offsets + values when a batch is finished.
 *
 * <p>Deleted rows: scans return live rows only, with their addresses, so the merge is by address;
 * the scan of a fragment with {@code D} deleted rows starts {@code D} logical rows early to be sure
 * to cover the first wanted address. A wanted address that no read returns (deleted, nonexistent)
 * is an {@link IllegalArgumentException}.
 *
 * <p>Reads run in parallel on the read planner's threads ({@link ReadThreads}, sized by the thread
 * budget): fragments, and parts of one fragment (equal ranges of its row offsets, each sorted, then
 * scanned or taken on its own), since Lance parallelises the decoding inside one scan only so far.
 * Large cache gathers split over up to 4 native threads.
 *
 * <p>Read-ahead: while one window is handed out, the next ones are read on window threads, so a
 * loop that trains between batches does not wait for window reads, and two window reads run at
 * once, so one read's waits (a scan's opening, Lance's decoding) are filled by the other's work. At
 * most {@value #WINDOWS_ALIVE} windows are alive at a time (the one being handed out and up to
 * {@value #READS_IN_FLIGHT} being read or read), each of at most a third of the budget (at least
 * one batch), so together they stay within it. A reader that reads after another ({@link
 * #readAfter}: a loader's next epoch) counts the other's windows too: it starts reading once the
 * other has begun reading its last window, in the slots the other leaves free.
 *
 * <p>Ownership: owns the batches of the current window and of the windows read ahead until {@link
 * #next()} hands each over (then the caller owns it); {@link #close()} (idempotent) frees those not
 * handed over, after waiting for the reads in progress. Borrows the table. Thread-safe, one caller
 * at a time ({@link #next()}, {@link #start()} and {@link #close()} are synchronized; the reads
 * ahead run on their own threads).
 */
public final class WindowReader implements AutoCloseable {
  /**
   * Windows alive at a time, of this reader and the one it reads after together: the one handed out
   * and those being read or read (each holds at most this fraction of the read-ahead budget).
   */
  public static final int WINDOWS_ALIVE = 3;

  /** Window reads one reader runs at a time. */
  static final int READS_IN_FLIGHT = 2;

  /** Rows per batch of the range scans. */
  static final int SCAN_BATCH_ROWS = 1 << 16;

  /** Least rows per slice of a window's gather from cached fragments. */
  private static final int GATHER_SLICE_ROWS = 1 << 13;

  /** Window rows per slice of the planning passes (below that, one thread plans). */
  private static final int PLAN_SLICE_ROWS = 1 << 15;

  private static final java.util.concurrent.atomic.AtomicLong WINDOWS_READ =
      new java.util.concurrent.atomic.AtomicLong();

  /** Windows read by every planner of this JVM so far (diagnostics; tests of loader workers). */
  public static long windowsRead() {
    return WINDOWS_READ.get();
  }

  /** What the planner did, for tests and diagnostics. */
  public static final class Stats {
    public long windows;
    public long scans;
    public long takes;
    public long cacheGathers;
    public long rowsScanned;
    public long maxWindowBytes;

    /** Nanoseconds spent grouping and sorting windows' addresses (one thread per fragment). */
    public long planNanos;

    /** Nanoseconds of wall time spent in the parallel reads of windows (scans, takes, merges). */
    public long readNanos;

    /**
     * Nanoseconds of wall time spent reading whole windows (planning, reads, finishing outputs).
     */
    public long windowNanos;

    @Override
    public String toString() {
      return "windows="
          + windows
          + " scans="
          + scans
          + " takes="
          + takes
          + " cacheGathers="
          + cacheGathers
          + " rowsScanned="
          + rowsScanned
          + " maxWindowBytes="
          + maxWindowBytes
          + " planNanos="
          + planNanos
          + " readNanos="
          + readNanos
          + " windowNanos="
          + windowNanos;
    }
  }

  private final ReadColumns cols;
  private final EpochAddresses plan; // the batches' sizes and addresses, asked a window at a time
  private final int windowRows;
  private final NativeColumnCache cache;
  private final Stats stats;
  private final ReadCosts costs;
  private final FragmentReader fragments;
  private final ArrayDeque<NativeBatch> ready = new ArrayDeque<>();
  private long next; // the first row of the next window
  private int nextBatch; // its first batch
  private final ArrayDeque<java.util.concurrent.Future<List<NativeBatch>>> pending =
      new ArrayDeque<>();
  private boolean closed;

  /**
   * Address arrays of windows read (successfully: a failed read may leave a part running over its
   * array), kept for the next windows: a window's array is its rows × 8 bytes (26 MB for a 64 MiB
   * window of 20-byte rows), one G1 humongous allocation a window otherwise, and those started a
   * concurrent cycle every few windows (16M-row table, 3 epochs read from the disk cache: 48–49
   * cycles for {@code vec} at batch 1024 without the spares, 5–6 with them, and epoch 2 15–22
   * against 21–32 M rows/s; 2026-12-07, two runs each).
   */
  private final ArrayDeque<long[]> spareAddresses = new ArrayDeque<>();

  private static final int SPARE_ADDRESS_ARRAYS = 3;

  /**
   * Window slots this reader holds, as a reader reading after it sees them: every slot ({@value
   * #WINDOWS_ALIVE}) until it has started its last window, then the windows it still holds (the one
   * being handed out, those being read); 0 once closed. Written under the reader's lock.
   */
  private volatile int slotsHeld = WINDOWS_ALIVE;

  /** The reader this one reads after, until that one holds no window any more (or null). */
  private volatile WindowReader predecessor;

  /** The reader reading after this one, started whenever this one frees a slot (or null). */
  private volatile WindowReader successor;

  /**
   * True while {@link #next()} waits for a window, holding the lock: the predecessor then does not
   * top this reader up (it would wait for that window too); this reader tops itself up after it.
   */
  private volatile boolean awaiting;

  /**
   * @param addrs the addresses to read, in order (not modified; the reader keeps it)
   * @param budgetBytes read-ahead budget: the bytes of the windows alive at a time (the one being
   *     handed out and those read ahead, {@value #WINDOWS_ALIVE} in all); each window gets a third,
   *     at least one batch
   * @param cache the native memory cache of the columns, or null
   * @param costs the cost model choosing scan or take per fragment
   */
  public WindowReader(
      ReadTable table,
      ReadColumns cols,
      long[] addrs,
      int batchSize,
      long budgetBytes,
      NativeColumnCache cache,
      Stats stats,
      ReadCosts costs) {
    this(
        table,
        cols,
        addrs,
        uniformSizes(addrs.length, batchSize),
        budgetBytes,
        cache,
        stats,
        costs);
  }

  /**
   * A reader of batches of their own sizes: batch {@code i} is the next {@code batchSizes[i]}
   * addresses (each ≥ 1, summing to {@code addrs.length}; kept, not copied).
   */
  public WindowReader(
      ReadTable table,
      ReadColumns cols,
      long[] addrs,
      int[] batchSizes,
      long budgetBytes,
      NativeColumnCache cache,
      Stats stats,
      ReadCosts costs) {
    this(table, cols, EpochAddresses.of(addrs, batchSizes), budgetBytes, cache, stats, costs);
  }

  /**
   * A reader of {@code plan}'s batches, in order, its addresses asked one window at a time (an
   * epoch of any number of rows). A window holds whole batches, at most as many rows as whole
   * batches of the first one's size fit in its share of the budget, and at least one batch.
   */
  public WindowReader(
      ReadTable table,
      ReadColumns cols,
      EpochAddresses plan,
      long budgetBytes,
      NativeColumnCache cache,
      Stats stats,
      ReadCosts costs) {
    this.cols = cols;
    this.plan = java.util.Objects.requireNonNull(plan, "plan");
    this.windowRows =
        windowRows(cols.rowBytes(), plan.batches() == 0 ? 1 : plan.batchRows(0), budgetBytes);
    this.cache = cache;
    this.stats = stats;
    this.costs = costs;
    this.fragments = new FragmentReader(table, cols, costs, stats);
  }

  /**
   * Serves the fragments {@code disk} holds from their files, and has it fill the others from
   * {@code source} while this reader reads them (both borrowed; set before the first window).
   */
  public WindowReader useDiskCache(DiskColumnCache disk, CacheSource source) {
    fragments.useDiskCache(disk, source);
    return this;
  }

  /** The sizes of {@code rows} rows cut into batches of {@code batchSize} (the last shorter). */
  public static int[] uniformSizes(int rows, int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be > 0: " + batchSize);
    }
    int[] out = new int[(rows + batchSize - 1) / batchSize];
    for (int b = 0; b < out.length; b++) {
      out[b] = Math.min(batchSize, rows - b * batchSize);
    }
    return out;
  }

  /** Rows of one window: as many whole batches as fit in a third of the budget, at least one. */
  private static int windowRows(long rowBytes, int batchSize, long budgetBytes) {
    long perBatch = Math.max(1, rowBytes * batchSize);
    long batches = Math.max(1, budgetBytes / WINDOWS_ALIVE / perBatch);
    return (int) Math.min(Integer.MAX_VALUE / 2, batches * batchSize);
  }

  /**
   * The next batch in order, owned by the caller, or null at the end. The first call reads the
   * first window (unless {@link #start()} began it); from then on the next windows are read ahead
   * in the background while this one is handed out, so the caller waits only when it consumes
   * faster than the reads go. A read's failure is thrown by the call that needs its batches, and
   * closes the reader (later calls throw {@link IllegalStateException}), so no batch is ever
   * skipped.
   */
  public NativeBatch next() {
    NativeBatch b;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the window reader is closed");
      }
      if (ready.isEmpty()) {
        startWindows(true);
        java.util.concurrent.Future<List<NativeBatch>> f = pending.poll();
        if (f != null) {
          awaiting = true;
          try {
            ready.addAll(ReadThreads.await(f));
          } catch (RuntimeException | Error e) {
            close(); // its rows are lost: no later call may skip past them
            throw e;
          } finally {
            awaiting = false;
          }
        }
      }
      b = ready.poll();
      startWindows(false);
    }
    startSuccessor();
    return b;
  }

  /**
   * Starts reading the first windows now, in the background, rather than at the first {@link
   * #next()} (a loader announces its batches before it asks the first), as many as the free window
   * slots allow; later calls start more when slots have come free. Does nothing once closed.
   */
  public void start() {
    synchronized (this) {
      if (!closed) {
        startWindows(false);
      }
    }
    startSuccessor();
  }

  /**
   * Reads after {@code before} (a loader's previous epoch): this reader's windows start once {@code
   * before} has begun reading its last window, in the window slots it leaves free (so the windows
   * alive of both stay within {@value #WINDOWS_ALIVE}), and more start as it frees more; or when
   * this reader's first batch is asked, if sooner. A reader closed before its last window started
   * starts nothing. Call once, before reading this one.
   */
  public void readAfter(WindowReader before) {
    synchronized (before) { // ordered with its close(), which drops its successor
      if (before.closed) {
        return; // nothing to read after: this one starts at its first batch
      }
      predecessor = before;
      before.successor = this;
    }
    before.startSuccessor();
  }

  /**
   * Tops up the successor's windows when this reader has started all of its own (not while the
   * successor waits for a window: it tops itself up after that).
   */
  private void startSuccessor() {
    WindowReader s = successor;
    if (s != null && slotsHeld < WINDOWS_ALIVE && !s.awaiting) {
      s.start();
    }
  }

  /**
   * Starts window reads while fewer than {@value #READS_IN_FLIGHT} are in flight and the windows
   * alive (this reader's and its predecessor's slots) stay within {@value #WINDOWS_ALIVE}; with
   * {@code needed} (nothing left to hand out, nothing being read), at least one. Under the lock.
   */
  private void startWindows(boolean needed) {
    WindowReader before = predecessor;
    int others = before == null ? 0 : before.slotsHeld;
    if (before != null && others == 0) {
      predecessor = null; // it holds nothing any more (nor its addresses, through this reference)
    }
    while (nextBatch < plan.batches()
        && pending.size() < READS_IN_FLIGHT
        && ((needed && pending.isEmpty()) || others + held() < WINDOWS_ALIVE)) {
      pending.add(startWindow());
    }
    if (nextBatch >= plan.batches()) {
      slotsHeld = held();
    }
  }

  /** The windows held now: the one being handed out, if any, and those being read or read. */
  private int held() {
    return pending.size() + (ready.isEmpty() ? 0 : 1);
  }

  /**
   * Windows this reader holds now: the one being handed out (if any) and those being read or read
   * but not yet handed out (diagnostics; tests of the budget).
   */
  public synchronized int windowsHeld() {
    return held();
  }

  /** Batches of the current window that {@link #next()} returns without waiting. */
  public synchronized int readyBatches() {
    return ready.size();
  }

  /**
   * Set when this epoch's first window is the first batch alone, taken before the disk cache's
   * fills start ({@link #startWindow}); counted down when it has its rows (or failed).
   */
  private volatile java.util.concurrent.CountDownLatch firstTaken;

  /** The first window has its rows: the fills start now. */
  private void firstTaken() {
    fragments.startFills();
    java.util.concurrent.CountDownLatch l = firstTaken;
    if (l != null) {
      l.countDown();
    }
  }

  /**
   * Lets the first window's take run before the fills, which every later window starts (and waits
   * for): at most {@value #FIRST_TAKE_WAIT_MS} ms, so that a window is never held up by a first
   * window that never ran (a reader closed at once).
   */
  private void awaitFirstTaken() {
    java.util.concurrent.CountDownLatch l = firstTaken;
    if (l == null) {
      return;
    }
    try {
      l.await(FIRST_TAKE_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // a close: the window's read fails or is dropped
    }
  }

  static final long FIRST_TAKE_WAIT_MS = 2000;

  /**
   * Starts reading the next window, whole batches (at least one) of at most {@code windowRows}
   * rows, on a window thread ({@link ReadThreads#window}).
   */
  private java.util.concurrent.Future<List<NativeBatch>> startWindow() {
    int firstBatch = nextBatch;
    int rows = 0;
    // While a disk cache is still to be filled, the first window is the first batch alone: its few
    // rows per fragment are taken at once, where a full window waits for the fills of its fragments
    // (later windows do, then read the files); so the first batch does not wait for the fill. The
    // reader's fills start once it has its rows (firstTaken): before, they would share Lance's
    // threads with its take.
    boolean quick = firstBatch == 0 && fragments.fillsPending();
    if (quick) {
      firstTaken = new java.util.concurrent.CountDownLatch(1);
    }
    int limit = quick ? 0 : windowRows;
    while (nextBatch < plan.batches()
        && (nextBatch == firstBatch || rows + plan.batchRows(nextBatch) <= limit)) {
      rows += plan.batchRows(nextBatch++);
    }
    long from = next;
    int n = rows;
    int batches = nextBatch - firstBatch;
    next = from + rows;
    return ReadThreads.window(() -> readWindow(from, n, firstBatch, batches, quick));
  }

  /**
   * The gather of a window's batches: uniform ones (all of the first one's size but the last, not
   * larger) by division, others by their sizes.
   */
  private TorchGather gatherFor(int rows, int firstBatch, int batches) {
    int size = plan.batchRows(firstBatch);
    boolean uniform = true;
    for (int b = 0; b < batches && uniform; b++) {
      int n = plan.batchRows(firstBatch + b);
      uniform = n == size || (b == batches - 1 && n < size);
    }
    if (uniform) {
      return TorchGather.create(cols.names(), cols.addressColumn(), size, rows);
    }
    long[] own = new long[batches];
    for (int b = 0; b < batches; b++) {
      own[b] = plan.batchRows(firstBatch + b);
    }
    return TorchGather.create(cols.names(), cols.addressColumn(), own);
  }

  /**
   * Reads rows [from, from + rows) of the plan, batches [firstBatch, firstBatch + batches), as
   * finished batches (owned by the caller).
   */
  private List<NativeBatch> readWindow(
      long from, int rows, int firstBatch, int batches, boolean quick) {
    long t0 = System.nanoTime();
    List<NativeBatch> out = new java.util.ArrayList<>();
    long[] addrs = addressArray(rows); // this window's addresses (the plan's are made when asked)
    plan.copy(from, addrs, rows);
    try (TorchGather g = gatherFor(rows, firstBatch, batches)) {
      int[] slices = slices(rows, firstBatch, batches);
      if (cache != null) {
        gatherSlices(g, cache.sources(), addrs, slices);
        synchronized (stats) {
          stats.cacheGathers++;
        }
      } else if (quick) {
        readFragments(g, addrs, rows, true);
      } else {
        awaitFirstTaken();
        if (!fragments.readAllCached(rows, src -> gatherSlices(g, src, addrs, slices))
            && !fragments.fillThenReadCached(
                addrs, rows, src -> gatherSlices(g, src, addrs, slices))) {
          readFragments(g, addrs, rows, false);
        }
      }
      if (cols.addressColumn() >= 0) {
        g.addresses(addrs, 0, rows, 0);
      }
      for (int i = 0; i < g.outputs(); i++) {
        out.add(g.finish(i));
      }
    } catch (RuntimeException | Error e) {
      free(out);
      throw e;
    } finally {
      if (quick) {
        firstTaken(); // also when it failed
      }
    }
    synchronized (stats) {
      stats.windowNanos += System.nanoTime() - t0;
      stats.windows++;
      stats.maxWindowBytes = Math.max(stats.maxWindowBytes, rows * cols.rowBytes());
    }
    WINDOWS_READ.incrementAndGet();
    keepAddressArray(addrs);
    return out;
  }

  /**
   * An array of at least {@code rows} elements, a spare one if one is long enough (only {@code [0,
   * rows)} is read).
   */
  private long[] addressArray(int rows) {
    synchronized (spareAddresses) {
      for (java.util.Iterator<long[]> it = spareAddresses.iterator(); it.hasNext(); ) {
        long[] a = it.next();
        if (a.length >= rows) {
          it.remove();
          return a;
        }
      }
    }
    return new long[rows];
  }

  private void keepAddressArray(long[] a) {
    synchronized (spareAddresses) {
      if (spareAddresses.size() == SPARE_ADDRESS_ARRAYS) {
        long[] smallest = a;
        for (long[] s : spareAddresses) {
          smallest = s.length < smallest.length ? s : smallest;
        }
        if (smallest == a) {
          return;
        }
        spareAddresses.remove(smallest);
      }
      spareAddresses.add(a);
    }
  }

  /**
   * Bounds of the slices a window's cached rows are gathered in, one per read thread (at least
   * {@value #GATHER_SLICE_ROWS} rows each): {@code bounds[k]..bounds[k + 1]}. Cut between batches
   * when there are enough batches (so that each variable-length output is laid out by one slice at
   * once), else anywhere.
   */
  private int[] slices(int rows, int firstBatch, int batches) {
    int t = (int) Math.max(1, Math.min(ReadThreads.threads(), rows / GATHER_SLICE_ROWS));
    int[] bounds = new int[t + 1];
    bounds[t] = rows;
    if (t == 1) {
      return bounds;
    }
    if (batches < t) {
      for (int k = 1; k < t; k++) {
        bounds[k] = (int) ((long) rows * k / t);
      }
      return bounds;
    }
    int k = 1;
    int at = 0;
    for (int b = 0; b < batches && k < t; b++) {
      at += plan.batchRows(firstBatch + b);
      if (at >= (long) rows * k / t) { // the first batch boundary at or past the k-th share
        bounds[k++] = at;
      }
    }
    while (k < t) {
      bounds[k++] = rows;
    }
    return bounds;
  }

  /**
   * Gathers the window's rows from cached {@code sources} (borrowed), its slices in parallel on the
   * read threads; a wanted address they do not hold is the planner's missing-row error.
   */
  private void gatherSlices(TorchGather g, FragmentSources sources, long[] addrs, int[] bounds) {
    if (sources == null) { // a cache of a table without rows
      throw fragments.missing(addrs[0]);
    }
    List<Runnable> work = new java.util.ArrayList<>(bounds.length - 1);
    for (int k = 0; k + 1 < bounds.length; k++) {
      int lo = bounds[k];
      int n = bounds[k + 1] - lo;
      if (n > 0) {
        work.add(
            () -> {
              int bad = g.fromFragments(sources, addrs, lo, n, lo);
              if (bad >= 0) {
                throw fragments.missing(addrs[lo + bad]);
              }
            });
      }
    }
    ReadThreads.runAll(work);
  }

  /**
   * Groups the window's addresses into parts — per fragment, and inside a fragment by equal ranges
   * of row offsets ({@link FragmentReader#partsOf}) — then, in parallel on the read threads, sorts
   * each part's wanted rows and reads it ({@link FragmentReader#readPart}: by scan or take,
   * whichever {@link ReadCosts} finds cheaper for that part). A row asked twice lands twice in one
   * part (equal offsets, one range).
   */
  private void readFragments(TorchGather g, long[] addrs, int rows, boolean takeOnly) {
    long t0 = System.nanoTime();
    FragmentSize[] byId = fragments.byId();
    int slices = (int) Math.max(1, Math.min(ReadThreads.threads(), rows / PLAN_SLICE_ROWS));
    // 1. wanted rows per fragment (each slice of the window counts its own; checks every address)
    // Each slice counts into an array it allocates itself (in its own thread's allocation buffer):
    // small arrays allocated together share a cache line, and two cores incrementing one line
    // cost these passes about a fifth of their time (median 8.3 -> 6.7 ms for 262k rows).
    int[][] wantedBy = new int[slices][];
    inSlices(
        slices,
        rows,
        (s, lo, hi) -> {
          int[] wanted = new int[byId.length];
          countFragments(addrs, lo, hi, byId, wanted);
          wantedBy[s] = wanted;
        });
    int[] parts = new int[byId.length];
    int[] firstPart = new int[byId.length + 1];
    double[] scale = new double[byId.length];
    for (int id = 0; id < byId.length; id++) {
      int wanted = 0;
      for (int[] w : wantedBy) {
        wanted += w[id];
      }
      parts[id] = wanted == 0 ? 0 : fragments.partsOf(wanted, byId[id].physicalRows());
      firstPart[id + 1] = firstPart[id] + parts[id];
      scale[id] = wanted == 0 ? 0 : (double) parts[id] / byId[id].physicalRows();
    }
    int nParts = firstPart[byId.length];
    // 2. each row's part (an equal range of its fragment's offsets), counted per slice
    int[] partOfRow = new int[rows];
    int[][] countsBy = new int[slices][];
    inSlices(
        slices,
        rows,
        (s, lo, hi) -> {
          int[] counts = new int[nParts];
          for (int i = lo; i < hi; i++) {
            long a = addrs[i];
            int id = (int) (a >>> 32);
            int k = firstPart[id];
            if (parts[id] > 1) {
              k += (int) Math.min(parts[id] - 1, (long) ((a & 0xFFFFFFFFL) * scale[id]));
            }
            partOfRow[i] = k;
            counts[k]++;
          }
          countsBy[s] = counts;
        });
    // 3. rows into their parts: slice s writes after the rows of slices before it (window order)
    FragmentRows[] byPart = new FragmentRows[nParts];
    int[][] cursorBy = new int[slices][nParts];
    for (int k = 0; k < nParts; k++) {
      int total = 0;
      for (int sl = 0; sl < slices; sl++) {
        cursorBy[sl][k] = total;
        total += countsBy[sl][k];
      }
      if (total > 0) {
        byPart[k] = new FragmentRows(total);
        byPart[k].n = total;
      }
    }
    inSlices(
        slices,
        rows,
        (s, lo, hi) -> {
          int[] cursor = cursorBy[s].clone(); // its own line (see above)
          for (int i = lo; i < hi; i++) {
            FragmentRows fr = byPart[partOfRow[i]];
            int at = cursor[partOfRow[i]]++;
            fr.addr[at] = addrs[i];
            fr.pos[at] = i;
          }
        });
    List<Runnable> reads = new java.util.ArrayList<>();
    for (int k = 0; k < byPart.length; k++) {
      FragmentRows fr = byPart[k];
      if (fr != null) {
        int id = (int) (fr.addr[0] >>> 32);
        reads.add(() -> fragments.readPart(g, fr, byId[id], takeOnly));
      }
    }
    long t1 = System.nanoTime();
    ReadThreads.runAll(reads);
    synchronized (stats) {
      stats.planNanos += t1 - t0;
      stats.readNanos += System.nanoTime() - t1;
    }
  }

  /** One slice [lo, hi) of a window's rows, the {@code s}-th of {@link #inSlices}. */
  private interface Slice {
    void run(int s, int lo, int hi);
  }

  /** Runs {@code slice} over {@code slices} equal ranges of [0, rows) on the read threads. */
  private static void inSlices(int slices, int rows, Slice slice) {
    List<Runnable> work = new java.util.ArrayList<>(slices);
    for (int s = 0; s < slices; s++) {
      int id = s;
      int lo = (int) ((long) rows * s / slices);
      int hi = (int) ((long) rows * (s + 1) / slices);
      work.add(() -> slice.run(id, lo, hi));
    }
    ReadThreads.runAll(work);
  }

  /** Counts rows [lo, hi) of the window per fragment; throws for an address no fragment holds. */
  private void countFragments(long[] addrs, int lo, int hi, FragmentSize[] byId, int[] wanted) {
    for (int i = lo; i < hi; i++) {
      long a = addrs[i];
      long id = a >>> 32;
      if (id >= byId.length || byId[(int) id] == null) {
        throw fragments.missing(a);
      }
      if ((a & 0xFFFFFFFFL) >= byId[(int) id].physicalRows()) {
        throw fragments.missing(a);
      }
      wanted[(int) id]++;
    }
  }

  /**
   * Frees the batches not handed over, waiting for the windows still being read ahead (their
   * failures, if any, are dropped); idempotent. A reader reading after this one then has every
   * window slot.
   */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      free(ready);
      java.util.concurrent.Future<List<NativeBatch>> f;
      while ((f = pending.poll()) != null) {
        try {
          free(ReadThreads.await(f));
        } catch (RuntimeException | Error e) {
          // the window's own cleanup freed what it had made
        }
      }
      slotsHeld = 0;
      successor = null;
      predecessor = null;
      NativeHeap.trim(); // an epoch's reads are over: their windows' free memory goes back
    }
  }

  /** Closes and removes every batch of {@code batches}. */
  private static void free(java.util.Collection<NativeBatch> batches) {
    batches.forEach(NativeBatch::close);
    batches.clear();
  }
}
