package dev.lancetorch.internal.cache;

import dev.lancetorch.internal.bridge.FragmentSources;
import dev.lancetorch.internal.bridge.MappedPages;
import dev.lancetorch.internal.bridge.NativeBatch;
import dev.lancetorch.internal.bridge.PackedRows;
import dev.lancetorch.internal.bridge.TorchGather;
import java.io.IOException;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One fragment's cached columns, memory-mapped from its {@link CacheFile} (checked when opened) and
 * imported as native batches over the mapped pages (no copy): the gather reads the rows straight
 * from the page cache. Columns the file keeps as packed rows ({@link PackedLayout}) are marked so
 * in the batches: only gathers read them.
 *
 * <p>Owns its batches until {@link #close()} (idempotent); the mappings go with the last batch
 * reference. Gathers may run concurrently; {@code close} must not overlap them (the owner, {@link
 * DiskColumnCache}, closes fragments only when no reader uses it any more).
 */
final class CachedFragment implements AutoCloseable {
  final int fragmentId;
  private final List<NativeBatch> batches;
  private final long[] starts;

  /**
   * Row offset of every cached row (uint32, ascending), in native memory that native gathers read
   * too (owned: released by {@link #close()}); null when the rows are offsets 0..rows-1.
   */
  private final ArrowBuf offsets;

  /** {@link #offsets} as ints (a view, for the Java search), or null. */
  private final IntBuffer offsetInts;

  final long bytes;
  private volatile boolean closed;

  private CachedFragment(
      int fragmentId, List<NativeBatch> batches, long[] starts, ArrowBuf offsets, long bytes) {
    this.fragmentId = fragmentId;
    this.batches = batches;
    this.starts = starts;
    this.offsets = offsets;
    this.bytes = bytes;
    this.offsetInts =
        offsets == null
            ? null
            : offsets
                .nioBuffer(0, (int) (4 * rows()))
                .order(java.nio.ByteOrder.nativeOrder())
                .asIntBuffer();
  }

  /**
   * Adds this fragment's batches to {@code sources} (they borrow them: the caller keeps this
   * fragment open while gathers read them).
   */
  void addTo(FragmentSources.Builder sources) {
    if (closed) {
      throw new IllegalStateException("the disk cache of fragment " + fragmentId + " is closed");
    }
    sources.add(fragmentId, batches, offsets == null ? 0 : offsets.memoryAddress());
  }

  long rows() {
    return starts[starts.length - 1];
  }

  /**
   * Opens and checks {@code file} and maps it.
   *
   * @param checksum false to skip the checksum (a file this JVM has just written and checksummed)
   * @param allocator where the mapped buffers are accounted (borrowed)
   * @throws CacheFile.Corrupt when the file fails a check (the caller deletes it)
   */
  static CachedFragment open(
      Path file, int expectFragment, Schema expect, BufferAllocator allocator, boolean checksum)
      throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      CacheFile.Footer f = CacheFile.verify(file, ch, checksum);
      if (f.fragment() != expectFragment) {
        throw new CacheFile.Corrupt(file, "holds fragment " + f.fragment());
      }
      Schema schema = Schema.fromJSON(f.schema());
      if (!sameColumns(schema.getFields(), expect.getFields())) {
        throw new CacheFile.Corrupt(file, "holds columns " + schema + ", expected " + expect);
      }
      long size = ch.size(); // before mapping: it throws when the thread is interrupted (a release)
      List<NativeBatch> batches = new ArrayList<>();
      long[] starts = new long[f.blocks().size() + 1];
      PackedLayout packing = CacheFile.packing(file, f, schema);
      ArrowBuf offsets = CacheFile.offsets(file, ch, f, allocator);
      // the whole file in one mapping (2 MiB-aligned, huge pages where the page cache has them);
      // every block's buffers are slices of it, which keep it mapped until the last is released
      ArrowBuf whole;
      try {
        whole = allocator.wrapForeignAllocation(MappedPages.map(file, size));
      } catch (RuntimeException | Error e) {
        if (offsets != null) {
          offsets.close();
        }
        throw e;
      }
      try {
        int i = 0;
        for (CacheFile.Block b : f.blocks()) {
          batches.add(mapBlock(whole, b, schema, packing, allocator));
          starts[i + 1] = starts[i] + b.rows();
          i++;
        }
        return new CachedFragment(expectFragment, batches, starts, offsets, size);
      } catch (RuntimeException | Error e) {
        batches.forEach(NativeBatch::close);
        if (offsets != null) {
          offsets.close();
        }
        throw e;
      } finally {
        whole.close(); // the batches hold their slices
      }
    }
  }

  /** Equal names and types, children's types included (nullability and metadata aside). */
  static boolean sameColumns(List<Field> a, List<Field> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Field x = a.get(i);
      Field y = b.get(i);
      if (!x.getName().equals(y.getName()) || !sameTypes(x, y)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameTypes(Field x, Field y) {
    if (!x.getType().equals(y.getType()) || x.getChildren().size() != y.getChildren().size()) {
      return false;
    }
    for (int i = 0; i < x.getChildren().size(); i++) {
      if (!sameTypes(x.getChildren().get(i), y.getChildren().get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * One block's buffers, slices of the file's mapping {@code whole} (borrowed; each slice holds a
   * reference), loaded into Arrow vectors and imported as a native batch; its packed columns (when
   * {@code packing} is not null) marked with their row stride, its slot columns given their slots.
   */
  private static NativeBatch mapBlock(
      ArrowBuf whole,
      CacheFile.Block b,
      Schema schema,
      PackedLayout packing,
      BufferAllocator allocator) {
    List<ArrowBuf> bufs = new ArrayList<>();
    for (long[] buf : b.buffers()) {
      bufs.add(whole.slice(buf[0], buf[1]));
    }
    List<ArrowFieldNode> nodes = new ArrayList<>();
    for (long[] n : b.nodes()) {
      nodes.add(new ArrowFieldNode(n[0], n[1]));
    }
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        ArrowRecordBatch rb = new ArrowRecordBatch(b.rows(), nodes, bufs)) {
      new VectorLoader(root).load(rb);
      NativeBatch batch = NativeBatch.fromRoot(root, allocator);
      if (packing != null) {
        try {
          for (int k = 0; k < packing.columns().length; k++) {
            int c = packing.columns()[k];
            if (!packing.slot()[k]) {
              PackedRows.mark(batch, c, packing.stride());
            } else if (b.rows() > 0) { // the slots lie in the mapping, which the batch keeps
              long slots = whole.memoryAddress() + b.packed()[0] + packing.at()[k];
              PackedRows.slots(batch, c, slots, packing.stride());
            }
          }
        } catch (RuntimeException | Error e) {
          batch.close();
          throw e;
        }
      }
      return batch;
    }
  }

  /**
   * Copies the rows at addresses {@code addr[0, n)} (all of this fragment) into {@code g} at window
   * positions {@code pos[0, n)}.
   *
   * @return the index of the first address not cached (deleted or out of range), or -1
   */
  int gather(TorchGather g, long[] addr, long[] pos, int n) {
    if (closed) {
      throw new IllegalStateException("the disk cache of fragment " + fragmentId + " is closed");
    }
    long rows = rows();
    long[] at = new long[n];
    for (int i = 0; i < n; i++) {
      long off = addr[i] & 0xFFFFFFFFL;
      long p;
      if (offsets == null) {
        p = off < rows ? off : -1;
      } else {
        p = indexOf(offsetInts, off);
      }
      if (p < 0) {
        return i;
      }
      at[i] = p;
    }
    g.fromBatches(batches, starts, at, pos, 0, n);
    return -1;
  }

  /**
   * The index of row offset {@code off} ({@code < 2^32}) in {@code offsets} (uint32 values in
   * ascending unsigned order: a fragment's row offsets use all 32 bits of a row address), or -1.
   */
  static int indexOf(IntBuffer offsets, long off) {
    if (off < 0 || off > 0xFFFFFFFFL) {
      return -1;
    }
    int lo = 0;
    int hi = offsets.limit() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long v = offsets.get(mid) & 0xFFFFFFFFL;
      if (v < off) {
        lo = mid + 1;
      } else if (v > off) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        batches.forEach(NativeBatch::close);
      } finally {
        if (offsets != null) {
          offsets.close();
        }
      }
    }
  }
}
