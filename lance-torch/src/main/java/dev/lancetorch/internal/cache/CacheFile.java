package dev.lancetorch.internal.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lancetorch.internal.bridge.MappedPages;
import dev.lancetorch.internal.bridge.PackedRows;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The layout of one disk-cache file: the cached columns of one fragment, as uncompressed Arrow
 * buffers placed for memory mapping. All integers little-endian.
 *
 * <pre>
 * [0, 8)          magic "LTCACHE1"
 * buffers         each Arrow buffer of each block (a block = one scan batch, ≤ 64 k rows), in
 *                 Arrow's unload order (validity, offsets, values; children after parents), each
 *                 starting at a multiple of 64; the values of the numeric columns {@link
 *                 PackedLayout} packs are not among them but in the block's packed rows, after its
 *                 buffers: row r's value of such a column at packed + r * stride + its place in a
 *                 row; a binary / utf8 column it packs keeps its buffers and has a 16-byte slot
 *                 there (uint32 length, 0xFFFFFFFF for null; its bytes when at most 12, else at
 *                 byte 8 the uint64 start of its bytes as its offsets hold it)
 * row offsets     only for a fragment with deleted rows: uint32 row offset of every cached row
 * footer          UTF-8 JSON: {"version":2, "fragment":id, "rows":n, "schema":Arrow schema JSON,
 *                 "strides":[per column: bytes a packed row, 0 if not packed] (or absent),
 *                 "places":[per column: its byte in a packed row, -1 if not packed] (or absent),
 *                 "blocks":[{"rows":r, "nodes":[[length, nulls]...],
 *                            "buffers":[[offset, length]...],
 *                            "packed":[offset, length] (or absent)}],
 *                 "offsets":[offset, count] (or absent)}
 *                 a packed column's values buffer is recorded as [packed + its place, r * its
 *                 bytes a row] (Arrow's length; the rows are strided); version 1 files (no
 *                 packing) are read as before
 * trailer (40 B)  int64 footer offset, int64 footer length, int64 file length,
 *                 int64 CRC-32C of bytes [0, file length - 16), magic "LTCACHE1"
 * </pre>
 *
 * A file whose length differs from the length it records, whose checksum does not match or whose
 * magic is missing is {@linkplain Corrupt corrupt}: the caller deletes and refills it. The file
 * holds no table location and no credentials: only column names and types, the fragment id and
 * values.
 */
final class CacheFile {
  static final byte[] MAGIC = "LTCACHE1".getBytes(StandardCharsets.US_ASCII);
  static final int TRAILER = 40;
  static final int ALIGN = 64;
  static final String SUFFIX = ".ltc";

  /** Bytes a file is written at a time, at multiples of it (a huge page). */
  static final int STAGE = 2 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A file that fails the checks (torn, truncated, flipped bytes, not a cache file). */
  static final class Corrupt extends IOException {
    Corrupt(Path file, String why) {
      super("disk cache file " + file + " is corrupt: " + why);
    }
  }

  /** One block's layout as the footer records it ({@code packed} null: no packed rows). */
  record Block(int rows, long[][] nodes, long[][] buffers, long[] packed) {}

  /** What the footer records ({@code strides} and {@code places} null: no column packed). */
  record Footer(
      int version,
      int fragment,
      long rows,
      String schema,
      long[] strides,
      long[] places,
      List<Block> blocks,
      long[] offsets) {}

  private CacheFile() {}

  /**
   * Writes a cache file block by block; {@link #finish} seals it. Owns its channel and its packing
   * buffer (native memory from the allocator it is given, released by {@link #close}).
   */
  static final class Writer implements AutoCloseable {
    private final Path path;
    private final FileChannel ch;
    private final BufferAllocator allocator;
    private PackedLayout packing;
    private Schema schema; // of the first block
    private ArrowBuf packed; // one block's packed rows, reused
    private ArrowBuf stageBuf; // the bytes not written yet (owned)
    private ByteBuffer stage; // a view of stageBuf
    private final CRC32C crc = new CRC32C();
    private final List<Block> blocks = new ArrayList<>();
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(ALIGN);
    private long pos;
    private long rows;
    private String schemaJson;

    /**
     * @param allocator where the packed rows of a block are put together before they are written
     *     (borrowed)
     */
    Writer(Path path, BufferAllocator allocator) throws IOException {
      this.path = path;
      this.allocator = allocator;
      this.ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        write(ByteBuffer.wrap(MAGIC));
      } catch (IOException | RuntimeException e) {
        ch.close(); // the caller never gets the writer to close
        throw e;
      }
    }

    Path path() {
      return path;
    }

    /** Bytes written so far. */
    long bytes() {
      return pos;
    }

    /**
     * Appends the vectors of {@code root} (borrowed; none of its buffers is retained) as one block.
     */
    void append(VectorSchemaRoot root) throws IOException {
      Schema s = root.getSchema();
      String js = s.toJson();
      boolean firstBlock = schemaJson == null;
      if (firstBlock) {
        schemaJson = js;
        schema = s;
      } else if (!schemaJson.equals(js)) {
        throw new IOException("disk cache: a scan batch changed schema: " + s);
      }
      int r = root.getRowCount();
      try (ArrowRecordBatch rb = new VectorUnloader(root).getRecordBatch()) {
        if (firstBlock) {
          packing = PackedLayout.choose(s, rb.getBuffers(), r);
        }
        List<ArrowFieldNode> nodes = rb.getNodes();
        long[][] n = new long[nodes.size()][];
        for (int i = 0; i < n.length; i++) {
          n[i] = new long[] {nodes.get(i).getLength(), nodes.get(i).getNullCount()};
        }
        List<ArrowBuf> bufs = rb.getBuffers();
        long[][] b = new long[bufs.size()][];
        for (int i = 0; i < b.length; i++) {
          if (packing != null && packing.inRows(i)) {
            continue; // in the packed rows below
          }
          pad();
          ArrowBuf buf = bufs.get(i);
          long len = buf.readableBytes();
          b[i] = new long[] {pos, len};
          long done = 0;
          while (done < len) {
            int chunk = (int) Math.min(len - done, 1 << 30);
            write(buf.nioBuffer(buf.readerIndex() + done, chunk));
            done += chunk;
          }
        }
        long[] region = packing == null ? null : writePacked(bufs, r, b);
        blocks.add(new Block(r, n, b, region));
        rows += r;
      }
    }

    /**
     * Writes the block's packed rows (its packed columns' values and slots, row by row) and records
     * where each packed column's values are in {@code b}; returns the rows' [offset, length].
     */
    private long[] writePacked(List<ArrowBuf> bufs, int r, long[][] b) throws IOException {
      PackedLayout p = packing;
      long len = r * p.stride();
      if (len > Integer.MAX_VALUE) {
        throw new IOException("disk cache: a block of " + len + " bytes of packed rows");
      }
      int k = p.columns().length;
      int fixed = 0;
      for (int c = 0; c < k; c++) {
        fixed += p.slot()[c] ? 0 : 1;
      }
      long[] srcs = new long[fixed];
      long[] bytes = new long[fixed];
      long[] at = new long[fixed];
      int f = 0;
      for (int c = 0; c < k; c++) {
        if (p.slot()[c]) {
          continue;
        }
        ArrowBuf buf = bufs.get(p.buffers()[c]);
        if (buf.readableBytes() != r * p.bytes()[c]) {
          throw new IOException(
              "disk cache: a values buffer of "
                  + buf.readableBytes()
                  + " bytes for "
                  + r
                  + " rows of "
                  + p.bytes()[c]
                  + " bytes");
        }
        srcs[f] = buf.memoryAddress() + buf.readerIndex();
        bytes[f] = p.bytes()[c];
        at[f] = p.at()[c];
        f++;
      }
      pad();
      long start = pos;
      if (len > 0) {
        if (packed == null || packed.capacity() < len) {
          if (packed != null) {
            packed.close();
            packed = null;
          }
          packed = allocator.buffer(len);
        }
        if (fixed > 0) {
          PackedRows.pack(packed.memoryAddress(), p.stride(), srcs, bytes, at, r);
        }
        for (int c = 0; c < k; c++) {
          if (p.slot()[c]) {
            writeSlots(p, c, bufs, r);
          }
        }
        write(packed.nioBuffer(0, (int) len));
      }
      for (int c = 0; c < k; c++) {
        if (!p.slot()[c]) {
          b[p.buffers()[c]] =
              r == 0 ? new long[] {start, 0} : new long[] {start + p.at()[c], r * p.bytes()[c]};
        }
      }
      return new long[] {start, len};
    }

    /** Slot column {@code c}'s slots of the block's {@code r} rows into the packed rows. */
    private void writeSlots(PackedLayout p, int c, List<ArrowBuf> bufs, int r) {
      int first = p.buffers()[c];
      ArrowBuf validity = bufs.get(first);
      ArrowBuf offsets = bufs.get(first + 1);
      ArrowBuf data = bufs.get(first + 2);
      boolean large = PackedLayout.isLarge(schema.getFields().get(p.columns()[c]));
      long need = (large ? 8L : 4L) * (r + 1);
      if (offsets.readableBytes() < need) {
        throw new IllegalStateException(
            "disk cache: an offsets buffer of "
                + offsets.readableBytes()
                + " bytes for "
                + r
                + " rows");
      }
      PackedRows.packSlots(
          packed.memoryAddress(),
          p.stride(),
          p.at()[c],
          offsets.memoryAddress() + offsets.readerIndex(),
          large,
          data.readableBytes() == 0 ? 0 : data.memoryAddress() + data.readerIndex(),
          validity.readableBytes() * 8 >= r ? validity.memoryAddress() + validity.readerIndex() : 0,
          r);
    }

    /** Seals the file: row offsets (or null), footer, trailer; then closes it. */
    void finish(int fragment, Schema schema, int[] offsets) throws IOException {
      long[] off = null;
      if (offsets != null) {
        pad();
        off = new long[] {pos, offsets.length};
        ByteBuffer bb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int o : offsets) {
          if (!bb.hasRemaining()) {
            bb.flip();
            write(bb);
            bb.clear();
          }
          bb.putInt(o);
        }
        bb.flip();
        write(bb);
      }
      String js = schemaJson != null ? schemaJson : schema.toJson();
      int fields = (this.schema != null ? this.schema : schema).getFields().size();
      long[] strides = packing == null ? null : packing.strides(fields);
      long[] places = packing == null ? null : packing.places(fields);
      Footer f = new Footer(2, fragment, rows, js, strides, places, blocks, off);
      byte[] footer = JSON.writeValueAsBytes(f);
      long footerAt = pos;
      write(ByteBuffer.wrap(footer));
      long length = pos + TRAILER;
      ByteBuffer t = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      t.putLong(footerAt).putLong(footer.length).putLong(length).flip();
      write(t);
      ByteBuffer c = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      c.putLong(crc.getValue()).put(MAGIC).flip();
      stage(c); // not checksummed
      flush();
      ch.close();
    }

    private void pad() throws IOException {
      int rem = (int) (pos % ALIGN);
      if (rem != 0) {
        zeros.clear().limit(ALIGN - rem);
        write(zeros);
      }
    }

    private void write(ByteBuffer b) throws IOException {
      crc.update(b.duplicate());
      int n = b.remaining();
      stage(b);
      pos += n;
    }

    /**
     * Copies {@code b} into the stage, writing the stage out each time it fills: the file is
     * written {@value #STAGE} bytes at a time at multiples of that, which the page cache keeps as
     * folios of that size, mapped as huge pages by {@link MappedPages#map} (written buffer by
     * buffer, a file's small buffers left small folios in most 2 MiB ranges).
     */
    private void stage(ByteBuffer b) throws IOException {
      if (stage == null) {
        stageBuf = allocator.buffer(STAGE);
        stage = stageBuf.nioBuffer(0, STAGE);
      }
      while (b.hasRemaining()) {
        int k = Math.min(b.remaining(), stage.remaining());
        ByteBuffer part = b.duplicate();
        part.limit(part.position() + k);
        stage.put(part);
        b.position(b.position() + k);
        if (!stage.hasRemaining()) {
          flush();
        }
      }
    }

    private void flush() throws IOException {
      if (stage == null) {
        return;
      }
      stage.flip();
      while (stage.hasRemaining()) {
        ch.write(stage);
      }
      stage.clear();
    }

    @Override
    public void close() throws IOException {
      try {
        ch.close();
      } finally {
        if (packed != null) {
          packed.close();
          packed = null;
        }
        if (stageBuf != null) {
          stageBuf.close();
          stageBuf = null;
          stage = null;
        }
      }
    }
  }

  /**
   * Reads and checks the footer of {@code file} (length, magic, and with {@code checksum} the
   * checksum over every byte, which reads the whole file once, mapped in 1 GiB pieces).
   *
   * @throws Corrupt when a check fails
   */
  static Footer verify(Path file, FileChannel ch, boolean checksum) throws IOException {
    long size = ch.size();
    if (size < MAGIC.length + TRAILER) {
      throw new Corrupt(file, "only " + size + " bytes");
    }
    ByteBuffer t = ByteBuffer.allocate(TRAILER).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, t, size - TRAILER);
    t.flip();
    long footerAt = t.getLong();
    long footerLen = t.getLong();
    long length = t.getLong();
    long sum = t.getLong();
    byte[] magic = new byte[8];
    t.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new Corrupt(file, "no trailer magic (torn write?)");
    }
    if (length != size) {
      throw new Corrupt(file, "records " + length + " bytes, has " + size);
    }
    if (footerAt < MAGIC.length || footerLen <= 0 || footerAt + footerLen != size - 24 - 16) {
      throw new Corrupt(file, "bad footer position");
    }
    if (checksum) {
      CRC32C crc = new CRC32C();
      long end = size - 16;
      for (long at = 0; at < end; ) {
        long len = Math.min(end - at, 1L << 30);
        MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, at, len);
        crc.update(m);
        at += len;
      }
      if (crc.getValue() != sum) {
        throw new Corrupt(file, "checksum mismatch");
      }
    }
    ByteBuffer head = ByteBuffer.allocate(8);
    readFully(ch, head, 0);
    if (!java.util.Arrays.equals(head.array(), MAGIC)) {
      throw new Corrupt(file, "no header magic");
    }
    ByteBuffer fb = ByteBuffer.allocate((int) footerLen);
    readFully(ch, fb, footerAt);
    Footer f;
    try {
      f = JSON.readValue(fb.array(), Footer.class);
    } catch (IOException e) {
      throw new Corrupt(file, "unreadable footer: " + e.getMessage());
    }
    if ((f.version() != 1 && f.version() != 2) || f.blocks() == null || f.schema() == null) {
      throw new Corrupt(file, "unknown footer version " + f.version());
    }
    if (f.version() == 1 && f.strides() != null) {
      throw new Corrupt(file, "packed rows in a version 1 file");
    }
    long rows = 0;
    for (Block b : f.blocks()) {
      rows += b.rows();
      if (b.buffers() == null || b.nodes() == null) {
        throw new Corrupt(file, "a block without buffers");
      }
      for (long[] buf : b.buffers()) {
        if (buf == null
            || buf.length != 2
            || buf[0] < 0
            || buf[1] < 0
            || buf[0] + buf[1] > footerAt) {
          throw new Corrupt(file, "a buffer outside the data");
        }
      }
      long[] p = b.packed();
      if (p != null
          && (p.length != 2 || p[0] < MAGIC.length || p[1] < 0 || p[0] + p[1] > footerAt)) {
        throw new Corrupt(file, "packed rows outside the data");
      }
    }
    if (rows != f.rows()) {
      throw new Corrupt(file, "blocks hold " + rows + " rows, footer says " + f.rows());
    }
    return f;
  }

  /**
   * The packed layout of a checked file's blocks (null when it packs no column): the one {@link
   * PackedLayout#of} gives its schema, every block's packed rows sized for its rows and every
   * packed column's values where the layout puts them.
   *
   * @throws Corrupt when the footer says otherwise
   */
  static PackedLayout packing(Path file, Footer f, Schema schema) throws Corrupt {
    if (f.strides() == null || f.places() == null) {
      for (Block b : f.blocks()) {
        if (b.packed() != null) {
          throw new Corrupt(file, "packed rows without strides");
        }
      }
      if (f.strides() != null || f.places() != null) {
        throw new Corrupt(file, "strides without places");
      }
      return null;
    }
    int fields = schema.getFields().size();
    if (f.strides().length != fields || f.places().length != fields) {
      throw new Corrupt(file, "its packed columns do not match its schema");
    }
    List<Integer> cols = new ArrayList<>();
    long stride = 0;
    for (int c = 0; c < fields; c++) {
      if (f.strides()[c] != 0) {
        if (stride != 0 && f.strides()[c] != stride) {
          throw new Corrupt(file, "its packed columns do not match its schema");
        }
        stride = f.strides()[c];
        cols.add(c);
      }
    }
    PackedLayout p;
    try {
      int[] c = cols.stream().mapToInt(Integer::intValue).toArray();
      long[] at = new long[c.length];
      for (int k = 0; k < c.length; k++) {
        at[k] = f.places()[c[k]];
      }
      p = PackedLayout.of(schema, c, at, stride);
    } catch (IllegalArgumentException e) {
      throw new Corrupt(file, "its packed columns do not match its schema: " + e.getMessage());
    }
    for (Block b : f.blocks()) {
      long[] region = b.packed();
      if (region == null || region[1] != b.rows() * p.stride()) {
        throw new Corrupt(file, "a block's packed rows do not match its rows");
      }
      for (int c = 0; c < p.columns().length; c++) {
        if (p.slot()[c]) {
          continue;
        }
        int vb = p.buffers()[c];
        long[] buf = vb < b.buffers().length ? b.buffers()[vb] : null;
        boolean placed =
            buf != null
                && (b.rows() == 0
                    ? buf[1] == 0
                    : buf[0] == region[0] + p.at()[c] && buf[1] == b.rows() * p.bytes()[c]);
        if (!placed) {
          throw new Corrupt(file, "a packed column's values are not in its block's rows");
        }
      }
    }
    return p;
  }

  /**
   * The row offsets section (null when the file has none): uint32 values in native byte order, in
   * native memory from {@code allocator} (a native gather reads them where they are). Owned by the
   * caller, who closes it.
   */
  static ArrowBuf offsets(Path file, FileChannel ch, Footer f, BufferAllocator allocator)
      throws IOException {
    if (f.offsets() == null) {
      return null;
    }
    long n = f.offsets()[1];
    long bytes = 4L * n;
    // one offset a row; the writer's int[] of offsets is never longer than this either
    if (n != f.rows() || bytes > Integer.MAX_VALUE) {
      throw new Corrupt(file, "row offsets do not match the rows");
    }
    ArrowBuf buf = allocator.buffer(Math.max(4, bytes));
    try {
      ByteBuffer b = buf.nioBuffer(0, (int) bytes);
      readFully(ch, b, f.offsets()[0]);
      if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) { // the file's are little-endian
        for (long i = 0; i < n; i++) {
          buf.setInt(i * 4, Integer.reverseBytes(buf.getInt(i * 4)));
        }
      }
      return buf;
    } catch (IOException | RuntimeException | Error e) {
      buf.close();
      throw e;
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      int n = ch.read(b, at);
      if (n < 0) {
        throw new java.io.EOFException("unexpected end of file");
      }
      at += n;
    }
  }

  /**
   * The vectors of {@code root} minus the one named {@code drop} (for writing data columns only).
   */
  static VectorSchemaRoot without(VectorSchemaRoot root, String drop) {
    List<FieldVector> keep = new ArrayList<>();
    for (FieldVector v : root.getFieldVectors()) {
      if (!v.getName().equals(drop)) {
        keep.add(v);
      }
    }
    VectorSchemaRoot r = new VectorSchemaRoot(keep);
    r.setRowCount(root.getRowCount());
    return r;
  }
}
