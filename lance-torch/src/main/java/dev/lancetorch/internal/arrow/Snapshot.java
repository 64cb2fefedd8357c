package dev.lancetorch.internal.arrow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.lance.Dataset;
import org.lance.Fragment;
import org.lance.FragmentMetadata;

/**
 * A reference-counted Lance {@link Dataset} handle fixed at one version. The table holds one
 * reference; every read (and every open scan reader) holds another; the dataset is closed when the
 * last reference goes. This lets a table move to a new version while older reads finish on the
 * version they started with.
 */
public final class Snapshot {
  public final Dataset dataset;
  public final long version;
  private final AtomicInteger refs = new AtomicInteger(1);
  private volatile List<FragmentSize> fragments;

  private final Runnable onClose;

  /**
   * @param dataset the handle, <b>transferred</b>: closed with the last reference
   * @param onClose run once after the dataset closed (the connection counts its open snapshots)
   */
  public Snapshot(Dataset dataset, Runnable onClose) {
    this.dataset = dataset;
    this.version = dataset.version();
    this.onClose = onClose;
  }

  /**
   * @return false if the snapshot was already fully released
   */
  public boolean retain() {
    while (true) {
      int n = refs.get();
      if (n == 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  public void release() {
    if (refs.decrementAndGet() == 0) {
      try {
        dataset.close();
      } finally {
        onClose.run();
      }
    }
  }

  public List<FragmentSize> fragments() {
    List<FragmentSize> f = fragments;
    if (f == null) {
      List<FragmentSize> list = new ArrayList<>();
      for (Fragment fragment : dataset.getFragments()) {
        FragmentMetadata m = fragment.metadata();
        list.add(new FragmentSize(m.getId(), m.getNumRows(), m.getPhysicalRows(), filesOf(m)));
      }
      f = Collections.unmodifiableList(list);
      fragments = f;
    }
    return f;
  }

  /** The fragment's data file paths and its deletion file, as {@link FragmentSize#files()}. */
  private static List<String> filesOf(FragmentMetadata m) {
    List<String> files = new ArrayList<>();
    for (org.lance.fragment.DataFile f : m.getFiles()) {
      files.add(f.getPath());
    }
    org.lance.fragment.DeletionFile d = m.getDeletionFile();
    if (d != null) {
      files.add("deletions:" + d.getId() + ":" + d.getReadVersion() + ":" + d.getNumDeletedRows());
    }
    return files;
  }

  public long rowCount() {
    long n = 0;
    for (FragmentSize f : fragments()) {
      n += f.numRows();
    }
    return n;
  }

  /** A retained reference released by {@link #close()}. */
  public final class Lease implements AutoCloseable {
    private final java.util.concurrent.atomic.AtomicBoolean released =
        new java.util.concurrent.atomic.AtomicBoolean();

    public Snapshot snapshot() {
      return Snapshot.this;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        release();
      }
    }
  }
}
