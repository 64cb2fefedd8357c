package dev.lancetorch.internal.cache;

import dev.lancetorch.internal.arrow.FragmentSize;
import dev.lancetorch.internal.bridge.FragmentSources;
import dev.lancetorch.internal.bridge.NativeHeap;
import dev.lancetorch.internal.bridge.TorchGather;
import dev.lancetorch.internal.memory.LibraryMemory;
import dev.lancetorch.internal.permutation.RowStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk tier of the cache for one table location and one column set: one {@link CacheFile} per
 * fragment in {@code <directory>/<table key>/<columns key>/}, named by the fragment id and a hash
 * of the fragment's files ({@link FragmentSize#files()}), so any version of the table that still
 * has a fragment reuses its file, and a fragment that changed gets a new one.
 *
 * <p>Two stages: files already on disk are opened (and checked) when a reader first asks ({@link
 * #use}); the others are filled in the background — one sequential scan per fragment, in storage
 * order, on the fill threads the owner gives — while the reader serves the same rows through the
 * read planner; each fragment is served from its file as soon as the file is sealed. Several JVMs
 * share a directory: a fragment is filled under an exclusive file lock ({@code .lock} beside it),
 * written to a temporary file and renamed into place, so a reader never sees a partial file and a
 * process killed mid-fill leaves only a temporary file (removed by the next filler). The budget
 * holds the {@code .ltc} files of the whole directory: before a fill the least recently opened
 * files are evicted; a fragment that still does not fit is not cached (its rows keep coming through
 * the planner). An unusable directory (unwritable, full) turns the tier off with one warning.
 *
 * <p>Shared in this JVM by every permutation handle over the same location and columns and
 * reference-counted ({@link #acquire}, {@link #release}); the last release stops the fills and
 * closes the mapped fragments. Thread-safe.
 */
public final class DiskColumnCache {
  private static final Logger LOG = LoggerFactory.getLogger("dev.lancetorch");

  /** Where the mapped buffers are accounted: the foreign allocations of mapped files. */
  private static final BufferAllocator MAPPED = LibraryMemory.COLUMN_CACHES;

  private record Key(Path root, String table, String columns) {}

  private static final Map<Key, DiskColumnCache> LIVE = new HashMap<>();

  /** Files mapped by this JVM (never evicted by it while open). */
  private static final java.util.Set<Path> OPEN = ConcurrentHashMap.newKeySet();

  /** Per directory: bytes reserved by fills running in this JVM. */
  private static final Map<Path, AtomicLong> RESERVED = new ConcurrentHashMap<>();

  /** What happens to one fragment's file. */
  private static final class Slot {
    final String name;

    /** Held by this JVM's filler of the fragment (background or on demand). */
    final Object filling = new Object();

    volatile CachedFragment ready;
    volatile boolean scheduled;
    volatile boolean skipped;

    Slot(String name) {
      this.name = name;
    }
  }

  private final Key key;
  private final Path dir;
  private final long maxBytes;
  private final Schema schema;
  private final List<String> columns;
  private final double rowBytes;

  /** Rows per batch of a fill's scan. */
  private static final int FILL_BATCH = 1 << 16;

  /** Bytes of batches a fill's scan reads ahead (each fill; fills run on the fill threads). */
  static final long FILL_READAHEAD_BYTES = 32L << 20;

  /**
   * Batches a fill's scan reads ahead: {@link #FILL_READAHEAD_BYTES} of them, 2 to 32. Lance's
   * default is about the cores (2 here): on object storage, 30 ms a request, a fill then waits on
   * one or two requests at a time (cols4 over s3://, epoch 1: +10–25 % at 32 in an A/B, 2026-12-07
   * 17:31).
   */
  static int fillReadahead(double rowBytes) {
    double batchBytes = Math.max(1, rowBytes) * FILL_BATCH;
    return (int) Math.max(2, Math.min(32, FILL_READAHEAD_BYTES / batchBytes));
  }

  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final List<Future<?>> fills = new ArrayList<>();

  /** Fills scheduled and not finished. */
  private final java.util.concurrent.atomic.AtomicInteger scheduledFills =
      new java.util.concurrent.atomic.AtomicInteger();

  private int refs;
  private volatile boolean closed;

  /** Gathers hold its read lock, the last release its write lock (see {@link View#gather}). */
  private final java.util.concurrent.locks.ReentrantReadWriteLock life =
      new java.util.concurrent.locks.ReentrantReadWriteLock();

  private volatile boolean disabled;

  private final AtomicLong filledFragments = new AtomicLong();
  private final AtomicLong filledBytes = new AtomicLong();
  private final AtomicLong openedFragments = new AtomicLong();
  private final AtomicLong droppedFiles = new AtomicLong();
  private final AtomicLong skippedFragments = new AtomicLong();
  private final AtomicLong cachedRows = new AtomicLong();

  private final java.util.function.Function<Runnable, Future<?>> fillPool;

  private DiskColumnCache(
      Key key,
      long maxBytes,
      Schema schema,
      double rowBytes,
      java.util.function.Function<Runnable, Future<?>> fillPool) {
    this.key = key;
    this.fillPool = fillPool;
    this.dir = key.root().resolve(key.table()).resolve(key.columns());
    this.maxBytes = maxBytes;
    this.schema = schema;
    this.columns = schema.getFields().stream().map(Field::getName).toList();
    this.rowBytes = rowBytes;
  }

  /**
   * The shared disk cache of {@code columns} (the data columns, in the order the planner reads
   * them) of {@code table} in {@code root}; release it exactly once.
   *
   * @param rowBytes bytes per row of those columns (an estimate, for the budget)
   * @param fillPool runs a fragment's fill in the background (the read planner's fill threads)
   */
  public static DiskColumnCache acquire(
      Path root,
      long maxBytes,
      CacheSource table,
      List<String> columns,
      double rowBytes,
      java.util.function.Function<Runnable, Future<?>> fillPool) {
    Schema schema = dataSchema(table.schema(), columns);
    Key key =
        new Key(
            root.toAbsolutePath().normalize(),
            hash(table.location()),
            hash(schema.toJson() + "\n" + maxBytes));
    synchronized (LIVE) {
      DiskColumnCache c =
          LIVE.computeIfAbsent(
              key, k -> new DiskColumnCache(k, maxBytes, schema, rowBytes, fillPool));
      c.refs++;
      return c;
    }
  }

  /** Releases one reference; the last one stops the fills and unmaps the files. */
  public void release() {
    synchronized (LIVE) {
      if (--refs > 0) {
        return;
      }
      LIVE.remove(key, this);
    }
    closed = true;
    List<Future<?>> running;
    synchronized (fills) {
      running = new ArrayList<>(fills);
    }
    // a cancelled fill does not wait here (get() of a cancelled task returns at once): a running
    // one stops at its next batch or I/O call (it checks closed; the interrupt ends its lock wait
    // and file writes), deletes its temp file and publishes nothing (open() checks closed)
    for (Future<?> f : running) {
      f.cancel(true);
    }
    life.writeLock().lock(); // after the gathers in progress; later ones see closed
    try {
      for (Slot s : slots.values()) {
        CachedFragment cf = s.ready;
        if (cf != null) {
          s.ready = null;
          cf.close();
          OPEN.remove(dir.resolve(s.name));
        }
      }
    } finally {
      life.writeLock().unlock();
    }
  }

  /** Disk caches alive in this JVM (tests). */
  public static int live() {
    synchronized (LIVE) {
      return LIVE.size();
    }
  }

  /**
   * A reader's view over the fragments of its table version: opens the files already on disk now
   * (so a warm cache serves the first window), and schedules fills of the others.
   *
   * @param fragments the version's fragments, in storage order
   */
  public View use(CacheSource table, List<FragmentSize> fragments) {
    return use(table, fragments, true);
  }

  /**
   * As {@link #use(CacheSource, List)}; with {@code startFills} false the fills are scheduled only
   * by {@link View#startFills()} (an epoch's first batch is taken before the fills start, which
   * would share Lance's threads with it).
   */
  public View use(CacheSource table, List<FragmentSize> fragments, boolean startFills) {
    if (closed) {
      throw new IllegalStateException("the disk cache is closed");
    }
    Slot[] view = new Slot[fragments.stream().mapToInt(FragmentSize::id).max().orElse(-1) + 1];
    List<FragmentSize> toFill = new ArrayList<>();
    double estimate = 0;
    for (FragmentSize f : fragments) {
      if (f.files().isEmpty() || f.numRows() == 0) {
        continue;
      }
      estimate += estimatedBytes(f);
      Slot s = slots.computeIfAbsent(fileName(f), Slot::new);
      view[f.id()] = s;
      synchronized (s) {
        if (s.ready == null && !s.scheduled && !s.skipped && !disabled) {
          if (!openExisting(s, f)) {
            toFill.add(f);
          }
        }
      }
    }
    View v = new View(view, table, toFill, estimate <= maxBytes);
    if (startFills) {
      v.startFills();
    }
    return v;
  }

  /** The size of {@code f}'s file at the estimated bytes of a row (for the budget). */
  private double estimatedBytes(FragmentSize f) {
    return rowBytes * f.numRows();
  }

  /** Schedules the fill of {@code f} unless it is cached, scheduled or skipped already. */
  private void schedule(CacheSource table, FragmentSize f, Slot s) {
    synchronized (s) {
      if (s.ready != null || s.scheduled || s.skipped || disabled || closed) {
        return;
      }
      s.scheduled = true;
    }
    scheduledFills.incrementAndGet();
    Future<?> fu;
    try {
      fu =
          fillPool.apply(
              () -> {
                try {
                  fillSafely(table, f, s);
                } finally {
                  // the last of a burst of fills: their scans' buffers are free now
                  if (scheduledFills.decrementAndGet() == 0) {
                    NativeHeap.trim();
                  }
                }
              });
    } catch (RuntimeException e) {
      scheduledFills.decrementAndGet();
      throw e;
    }
    synchronized (fills) {
      fills.removeIf(Future::isDone);
      fills.add(fu);
    }
  }

  /** One reader's fragments: the cached file of a fragment once it is sealed. */
  public final class View {
    private final Slot[] byId;
    private final CacheSource table;
    private List<FragmentSize> toFill; // until startFills
    private final boolean fitsBudget;

    private View(Slot[] byId, CacheSource table, List<FragmentSize> toFill, boolean fitsBudget) {
      this.byId = byId;
      this.table = table;
      this.toFill = toFill;
      this.fitsBudget = fitsBudget;
    }

    /**
     * True when this view's fragments, at the cache's estimate of a row's bytes, fit the budget
     * together: every fill is then expected to be kept. False when some fragment will not be cached
     * (which one is known only once the fills have tried).
     */
    public boolean fitsBudget() {
      return fitsBudget;
    }

    /**
     * Schedules the fills of this view's fragments not on disk when it was made (once; later calls
     * do nothing). A fragment another reader cached or scheduled meanwhile is left to it.
     */
    public void startFills() {
      List<FragmentSize> fs;
      synchronized (this) {
        fs = toFill;
        toFill = null;
      }
      if (fs != null) {
        for (FragmentSize f : fs) {
          schedule(table, f, byId[f.id()]);
        }
      }
    }

    /**
     * Runs {@code reads} over every fragment of this view, when every one is cached: it gets their
     * batches as one {@link FragmentSources}, kept alive (the cache cannot be released) until it
     * returns. Returns false, running nothing, when some fragment is not cached (yet) or the cache
     * was released.
     *
     * @param rows the rows {@code reads} gathers (counted as cached reads)
     */
    public boolean withAllCached(long rows, Consumer<FragmentSources> reads) {
      return withCached(null, rows, reads);
    }

    /**
     * As {@link #withAllCached}, when every fragment {@code touched} (indexed by id; null: all of
     * this view's) is cached; the sources hold every cached fragment.
     */
    public boolean withCached(boolean[] touched, long rows, Consumer<FragmentSources> reads) {
      // under it a cached fragment stays cached (release takes the write lock)
      life.readLock().lock();
      try {
        if (closed || !cachedAll(touched)) {
          return false;
        }
        FragmentSources.Builder b = FragmentSources.builder(byId.length - 1);
        for (Slot s : byId) {
          CachedFragment cf = s == null ? null : s.ready;
          if (cf != null) {
            cf.addTo(b);
          }
        }
        FragmentSources sources = b.build();
        if (sources == null) {
          return false;
        }
        reads.accept(sources);
      } finally {
        life.readLock().unlock();
      }
      cachedRows.addAndGet(rows);
      return true;
    }

    /**
     * Copies the rows at {@code addr[0, n)} (all of fragment {@code id}) into {@code g} at window
     * positions {@code pos[0, n)} when the fragment is cached.
     *
     * @return false when it is not (yet) cached: nothing was copied
     * @throws IllegalArgumentException via {@code missing} for an address the file does not hold
     */
    public boolean gather(
        TorchGather g,
        int id,
        long[] addr,
        long[] pos,
        int n,
        java.util.function.LongFunction<RuntimeException> missing) {
      Slot s = id < byId.length ? byId[id] : null;
      if (s == null || s.ready == null) {
        return false;
      }
      // the read lock keeps the mapped batches alive while native code copies from them: the last
      // release (a permutation closed while its iterator still reads ahead) waits for it
      life.readLock().lock();
      try {
        CachedFragment cf = s.ready;
        if (closed || cf == null) {
          return false;
        }
        int bad = cf.gather(g, addr, pos, n);
        if (bad >= 0) {
          throw missing.apply(addr[bad]);
        }
      } finally {
        life.readLock().unlock();
      }
      cachedRows.addAndGet(n);
      return true;
    }

    /**
     * Fills fragment {@code f} now, on this thread (or waits for the fill in progress, in this JVM
     * or another), then gathers as {@link #gather}: for a read that would scan most of the fragment
     * anyway, the fill costs that scan plus writing the file, and later reads are served from it.
     *
     * @return false when the fragment cannot be cached (budget, directory unusable): nothing was
     *     copied, read it from the source
     */
    public boolean fillAndGather(
        FragmentSize f,
        TorchGather g,
        long[] addr,
        long[] pos,
        int n,
        java.util.function.LongFunction<RuntimeException> missing) {
      return fillNow(f) && gather(g, f.id(), addr, pos, n, missing);
    }

    /**
     * Fills fragment {@code f} now, in this thread, unless it is cached, skipped or not of this
     * view (a fill another thread runs is waited for); true when it is cached afterwards.
     */
    public boolean fillNow(FragmentSize f) {
      int id = f.id();
      Slot s = id < byId.length ? byId[id] : null;
      if (s == null || s.skipped || disabled || closed) {
        return false;
      }
      if (s.ready == null) {
        fillSafely(table, f, s);
      }
      return s.ready != null;
    }

    /** True when every fragment of this view is cached now. */
    public boolean allCached() {
      return cachedAll(null);
    }

    /**
     * True when every fragment {@code touched} (indexed by id; null: all of the view's) is cached.
     */
    private boolean cachedAll(boolean[] touched) {
      for (int id = 0; id < byId.length; id++) {
        Slot s = byId[id];
        boolean needed = touched == null || (id < touched.length && touched[id]);
        if (s != null && needed && s.ready == null) {
          return false;
        }
      }
      return true;
    }

    /** True when fragment {@code id} is cached now. */
    public boolean cached(int id) {
      Slot s = id < byId.length ? byId[id] : null;
      return s != null && s.ready != null;
    }

    /** True when fragment {@code id} may still be cached (not skipped, directory usable). */
    public boolean cacheable(int id) {
      Slot s = id < byId.length ? byId[id] : null;
      return s != null && !s.skipped && !disabled && !closed;
    }

    /** Waits until every fragment of this view is cached, skipped or failed (tests, benchmarks). */
    public void awaitFills() {
      List<Future<?>> running;
      synchronized (fills) {
        running = new ArrayList<>(fills);
      }
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (Exception ignored) {
          // a failed fill was logged; its rows keep coming through the planner
        }
      }
    }
  }

  /** Counters of this cache since it was created in this JVM. */
  public record Stats(
      long filledFragments,
      long filledBytes,
      long openedFragments,
      long droppedFiles,
      long skippedFragments,
      long cachedRows,
      long bytesOnDisk,
      boolean disabled) {}

  public Stats stats() {
    long onDisk = 0;
    for (Slot s : slots.values()) {
      CachedFragment cf = s.ready;
      onDisk += cf == null ? 0 : cf.bytes;
    }
    return new Stats(
        filledFragments.get(),
        filledBytes.get(),
        openedFragments.get(),
        droppedFiles.get(),
        skippedFragments.get(),
        cachedRows.get(),
        onDisk,
        disabled);
  }

  /** The directory holding this cache's files. */
  public Path directory() {
    return dir;
  }

  // ---------------------------------------------------------------------------------------------

  /** Opens the fragment's sealed file if there is one; drops it when it fails its checks. */
  private boolean openExisting(Slot s, FragmentSize f) {
    if (open(s, f, true)) {
      openedFragments.incrementAndGet();
      return true;
    }
    return false;
  }

  /** Opens the file this JVM has just filled (and checksummed while writing it). */
  private boolean openFilled(Slot s, FragmentSize f) {
    return open(s, f, false);
  }

  private boolean open(Slot s, FragmentSize f, boolean checksum) {
    Path file = dir.resolve(s.name);
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try {
      CachedFragment cf = CachedFragment.open(file, f.id(), schema, MAPPED, checksum);
      if (cf.rows() != f.numRows()) {
        cf.close();
        throw new CacheFile.Corrupt(
            file, "holds " + cf.rows() + " rows, the fragment " + f.numRows());
      }
      life.readLock().lock();
      try {
        if (closed) { // released meanwhile: nobody would close it
          cf.close();
          return false;
        }
        if (s.ready != null) { // another handle opened the sealed file first: keep one mapping
          cf.close();
          return true;
        }
        OPEN.add(file);
        s.ready = cf;
      } finally {
        life.readLock().unlock();
      }
      touch(file);
      return true;
    } catch (CacheFile.Corrupt e) {
      LOG.warn("{}: dropped, it will be filled again", e.getMessage());
      droppedFiles.incrementAndGet();
      deleteQuietly(file);
      return false;
    } catch (IOException | RuntimeException e) {
      if (!closed) { // else the release interrupted it: nothing to report
        LOG.warn(
            "disk cache: cannot open {} ({}); reading its rows from the source",
            file,
            e.toString());
      }
      return false;
    }
  }

  private void fillSafely(CacheSource table, FragmentSize f, Slot s) {
    try {
      synchronized (s.filling) {
        if (s.ready == null && !s.skipped) {
          fill(table, f, s);
        }
      }
    } catch (java.nio.channels.ClosedByInterruptException
        | java.nio.channels.FileLockInterruptionException e) {
      // the cache was released: stop
    } catch (IOException e) {
      if (!closed) {
        disable(e);
      }
    } catch (RuntimeException | Error e) {
      if (!closed) {
        LOG.warn(
            "disk cache: the fill of fragment {} failed; its rows come from the source", f.id(), e);
      }
    } finally {
      s.scheduled = false;
    }
  }

  private void disable(IOException e) {
    if (!disabled) {
      disabled = true;
      LOG.warn(
          "disk cache in {} is unusable ({}): reads go to the source, nothing is lost",
          key.root(),
          e.toString());
    }
  }

  /** Fills one fragment's file under its lock, then publishes it. */
  private void fill(CacheSource table, FragmentSize f, Slot s) throws IOException {
    if (closed || disabled) {
      return;
    }
    Files.createDirectories(dir);
    Path file = dir.resolve(s.name);
    Path lockFile = dir.resolve(s.name + ".lock");
    try (FileChannel lockCh =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFill(lockCh, () -> closed)) {
      if (closed) {
        return;
      }
      synchronized (s) {
        if (openExisting(s, f)) {
          return; // another JVM filled it while this one waited for the lock
        }
      }
      removeStaleTemps(s.name);
      // a fragment estimated at twice the whole budget is not even tried
      if (estimatedBytes(f) > 2.0 * maxBytes) {
        skip(s, f);
        return;
      }
      Path tmp =
          dir.resolve(s.name + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
      try {
        long bytes = write(table, f, tmp);
        // the budget counts sealed files: room for this one, evicting old ones, or it goes
        if (!reserve(bytes)) {
          skip(s, f);
          return;
        }
        OPEN.add(file); // from now on no fill of this JVM evicts it
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
          OPEN.remove(file); // not sealed: nothing of this JVM holds it
          throw e;
        } finally {
          unreserve(bytes);
        }
        filledFragments.incrementAndGet();
        filledBytes.addAndGet(bytes);
      } finally {
        deleteQuietly(tmp);
      }
      synchronized (s) {
        if (closed || !openFilled(s, f)) {
          OPEN.remove(file);
          s.skipped = !closed;
        }
      }
    }
  }

  /**
   * A fragment's fill lock. POSIX record locks belong to the process, not the thread: when a fill
   * thread of this JVM holds fragment A's lock while another waits for B's, and another JVM does
   * the opposite, the kernel sees two processes waiting for each other and refuses the wait ({@code
   * EDEADLK}, "Resource deadlock avoided"), though no thread waits while holding a lock. Then this
   * polls {@code tryLock} (2 to 50 ms apart) until the other JVM's fill ends.
   *
   * @param released true once the cache is released (the wait stops)
   * @throws java.nio.channels.ClosedByInterruptException when the cache is released meanwhile
   */
  static FileLock lockFill(FileChannel ch, java.util.function.BooleanSupplier released)
      throws IOException {
    try {
      return ch.lock();
    } catch (IOException e) {
      if (e.getMessage() == null || !e.getMessage().toLowerCase(Locale.ROOT).contains("deadlock")) {
        throw e;
      }
    }
    long sleepMs = 2;
    while (true) {
      FileLock l = ch.tryLock();
      if (l != null) {
        return l;
      }
      try {
        Thread.sleep(sleepMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.nio.channels.ClosedByInterruptException();
      }
      if (released.getAsBoolean()) {
        throw new java.nio.channels.ClosedByInterruptException();
      }
      sleepMs = Math.min(50, 2 * sleepMs);
    }
  }

  /** Scans the fragment's columns into {@code tmp}; returns its size. */
  private long write(CacheSource table, FragmentSize f, Path tmp) throws IOException {
    boolean deletions = f.numRows() != f.physicalRows();
    IntList offsets = deletions ? new IntList() : null;
    long rows = 0;
    try (CacheFile.Writer w = new CacheFile.Writer(tmp, MAPPED);
        ArrowReader r =
            table.scanFragment(f.id(), columns, deletions, FILL_BATCH, fillReadahead(rowBytes))) {
      while (r.loadNextBatch()) {
        if (closed) {
          throw new java.nio.channels.ClosedByInterruptException();
        }
        VectorSchemaRoot root = r.getVectorSchemaRoot();
        VectorSchemaRoot data = root;
        if (deletions) {
          BaseIntVector addrs = (BaseIntVector) root.getVector(RowStream.ROW_ADDR);
          for (int i = 0; i < root.getRowCount(); i++) {
            long addr = addrs.getValueAsLong(i); // uint64 bits as a long (no BigInteger a row)
            int off = (int) (addr & 0xFFFFFFFFL);
            if ((addr >>> 32) != f.id()
                || (offsets.size > 0 && Integer.compareUnsigned(off, offsets.last()) <= 0)) {
              throw new IllegalStateException(
                  "disk cache: the scan of fragment " + f.id() + " is not in row order");
            }
            offsets.add(off);
          }
          data = CacheFile.without(root, RowStream.ROW_ADDR);
        }
        w.append(data);
        rows += root.getRowCount();
      }
      if (rows != f.numRows()) {
        throw new IllegalStateException(
            "disk cache: the scan of fragment "
                + f.id()
                + " gave "
                + rows
                + " rows, not "
                + f.numRows());
      }
      w.finish(f.id(), schema, offsets == null ? null : offsets.toArray());
      return Files.size(tmp);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** A growable int array. */
  private static final class IntList {
    int[] a = new int[1024];
    int size;

    void add(int v) {
      if (size == a.length) {
        a = java.util.Arrays.copyOf(a, size * 2);
      }
      a[size++] = v;
    }

    int last() {
      return a[size - 1];
    }

    int[] toArray() {
      return java.util.Arrays.copyOf(a, size);
    }
  }

  // --------------------------------------------------------------------------- budget, eviction

  /**
   * Reserves {@code bytes} of the directory's budget, evicting the least recently opened files that
   * this JVM does not have open; false when it cannot fit.
   */
  private boolean reserve(long bytes) throws IOException {
    Path root = key.root();
    synchronized (RESERVED) {
      AtomicLong reserved = RESERVED.computeIfAbsent(root, r -> new AtomicLong());
      List<Path> files = cacheFiles(root);
      long used = reserved.get();
      for (Path p : files) {
        used += size(p);
      }
      if (used + bytes > maxBytes) {
        files.sort(java.util.Comparator.comparing(DiskColumnCache::modified));
        for (Path p : files) {
          if (used + bytes <= maxBytes) {
            break;
          }
          if (OPEN.contains(p) || (p.getParent().equals(dir) && slots.containsKey(name(p)))) {
            continue; // open here, or wanted by this cache: evicting it would thrash
          }
          long sz = size(p);
          if (deleteQuietly(p)) {
            used -= sz;
          }
        }
      }
      if (used + bytes > maxBytes) {
        return false;
      }
      reserved.addAndGet(bytes);
      return true;
    }
  }

  private void unreserve(long bytes) {
    RESERVED.get(key.root()).addAndGet(-bytes);
  }

  private void skip(Slot s, FragmentSize f) {
    s.skipped = true;
    skippedFragments.incrementAndGet();
    LOG.debug("disk cache: fragment {} does not fit the budget of {} bytes", f.id(), maxBytes);
  }

  /**
   * Every sealed cache file under {@code root}. Other fills rename and delete files meanwhile: an
   * entry gone before it is looked at is skipped.
   */
  static List<Path> cacheFiles(Path root) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    Files.walkFileTree(
        root,
        java.util.Set.of(),
        3,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult visitFile(
              Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
            if (file.getFileName().toString().endsWith(CacheFile.SUFFIX)) {
              out.add(file);
            }
            return java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e)
              throws IOException {
            if (e instanceof java.nio.file.NoSuchFileException) {
              return java.nio.file.FileVisitResult.CONTINUE; // renamed or deleted meanwhile
            }
            throw e;
          }
        });
    return out;
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0; // gone meanwhile
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static void touch(Path p) {
    try {
      Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException ignored) {
      // read-only directory: eviction order falls back to fill order
    }
  }

  private void removeStaleTemps(String name) {
    try (var s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(name + ".tmp-")).toList()) {
        deleteQuietly(p);
      }
    } catch (IOException ignored) {
      // listed again by the next filler
    }
  }

  private static boolean deleteQuietly(Path p) {
    try {
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      return false;
    }
  }

  // --------------------------------------------------------------------------- keys

  /** The file of a fragment: its id and a hash of its files. */
  static String fileName(FragmentSize f) {
    return "frag-"
        + f.id()
        + "-"
        + hash(String.join("\n", f.files())).substring(0, 16)
        + CacheFile.SUFFIX;
  }

  static String hash(String s) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(d.digest(s.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The table's fields named {@code columns}, in that order. */
  private static Schema dataSchema(Schema table, List<String> columns) {
    List<Field> fields = new ArrayList<>();
    for (String c : columns) {
      fields.add(table.findField(c));
    }
    return new Schema(fields);
  }
}
