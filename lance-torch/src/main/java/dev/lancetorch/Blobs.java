package dev.lancetorch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.lance.BlobFile;

/**
 * Rows of a Lance blob column ({@code large_binary} with field metadata {@code lance-encoding:blob
 * = true}), opened lazily through lance-core's blob API ({@code Dataset.takeBlobsByIndices}):
 * nothing is read until {@link #read(int)} or {@link #readRange(int, long, int)} asks, so a loader
 * can fetch only the bytes (or byte ranges) a batch needs. From {@link Table#blobs(String,
 * long[])}.
 *
 * <p>Ownership: <em>owns</em> the blob handles and a lease on the table's snapshot (the version
 * they belong to); {@link #close()} (idempotent) releases both. Use after close throws {@link
 * IllegalStateException}. Not thread-safe.
 */
public final class Blobs implements AutoCloseable {
  private final String column;
  private final long[] offsets;
  private final AutoCloseable lease;
  private List<BlobFile> files;

  Blobs(String column, long[] offsets, AutoCloseable lease, List<BlobFile> files) {
    this.column = column;
    this.offsets = offsets.clone();
    this.lease = lease;
    this.files = files;
  }

  /** Number of blobs (one per requested row, in the order asked). */
  public int size() {
    return open().size();
  }

  /** Bytes of blob {@code i}. */
  public long byteSize(int i) {
    return file(i).size();
  }

  /** All bytes of blob {@code i} (read now). */
  public byte[] read(int i) {
    BlobFile f = file(i);
    try {
      f.seek(0);
      return f.read();
    } catch (IOException e) {
      throw failure(i, e);
    }
  }

  /** {@code length} bytes of blob {@code i} from {@code position} (read now). */
  public byte[] readRange(int i, long position, int length) {
    try {
      return file(i).readRange(position, length);
    } catch (IOException e) {
      throw failure(i, e);
    }
  }

  private UncheckedIOException failure(int i, IOException e) {
    return new UncheckedIOException(
        "column '" + column + "' row " + offsets[i] + ": reading the blob failed", e);
  }

  private BlobFile file(int i) {
    List<BlobFile> f = open();
    if (i < 0 || i >= f.size()) {
      throw new IndexOutOfBoundsException("blob " + i + " of " + f.size());
    }
    return f.get(i);
  }

  private List<BlobFile> open() {
    if (files == null) {
      throw new IllegalStateException("Blobs closed");
    }
    return files;
  }

  /** Closes every blob handle and releases the snapshot lease (idempotent). */
  @Override
  public void close() {
    if (files == null) {
      return;
    }
    List<BlobFile> f = files;
    files = null;
    RuntimeException first = null;
    for (BlobFile b : f) {
      try {
        b.close();
      } catch (IOException | RuntimeException e) {
        if (first == null) {
          first = new IllegalStateException("closing a blob of column '" + column + "' failed", e);
        }
      }
    }
    try {
      lease.close();
    } catch (Exception e) {
      if (first == null) {
        first = new IllegalStateException("releasing the snapshot lease failed", e);
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
