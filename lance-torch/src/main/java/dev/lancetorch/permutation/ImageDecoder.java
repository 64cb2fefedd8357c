package dev.lancetorch.permutation;

import static dev.lancetorch.torch.TorchBatch.OFFSETS_SUFFIX;

import dev.lancetorch.internal.jni.TensorText;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Decodes an encoded-image column (PNG, JPEG, or any format an installed {@link ImageIO} reader
 * handles) of a {@link Format#TORCH_DICT} batch — {@code col} uint8 bytes + {@code col.offsets}, as
 * binary columns arrive — into one {@code (R, C, H, W)} uint8 tensor under {@code col}, optionally
 * resized (bilinear). Meant as the loader's {@code collate} (it runs in the loader's worker
 * threads) or a {@link dev.lancetorch.loader.StreamingDataset} transform (where the {@code
 * OnTransformError} policies apply).
 *
 * <p>Decoder: the JDK's own {@code javax.imageio} (PNG and baseline/progressive JPEG; no
 * dependency, nothing native to ship). Putting TwelveMonkeys' {@code imageio-jpeg} on the classpath
 * adds CMYK/YCCK JPEGs through the same service registry, with no code change. Measured figures:
 * {@code ImageDecodeBench}.
 *
 * <p>Ownership: takes ownership of the batch it is given (closed, also when decoding fails) and
 * returns a new owned {@link TensorDict} with the other columns unchanged (moved, not copied).
 * Errors: bytes no reader can decode, or images of different sizes without a resize, are an {@link
 * IllegalArgumentException} naming the column, the row of the batch and, when the batch carries the
 * id column ({@link #idColumn}, default {@code _rowid}: select it to have table rows named), that
 * row's id, e.g. {@code column 'png' row 3 of the batch (_rowid 4294967299): 4 bytes that no image
 * reader recognises}; a column that is missing or not binary (uint8 values + offsets) is an {@code
 * IllegalArgumentException} naming it and its dtype and shape. A batch of 0 rows gives a {@code (0,
 * C, h, w)} tensor ({@code h × w} the resize, else 0 × 0). Under a {@link
 * dev.lancetorch.loader.StreamingDataset} the {@code OnTransformError} policies apply: {@code
 * RAISE} fails the iteration with this exception as the cause; {@code SKIP}/{@code WARN} drop only
 * the rows that fail alone. Immutable and serializable.
 */
public final class ImageDecoder implements Function<TensorDict, TensorDict>, Serializable {
  /** The id column named in errors when the batch has it: {@code _rowid} unless changed. */
  public static final String DEFAULT_ID_COLUMN = "_rowid";

  private static final long serialVersionUID = 1L;

  private final String column;
  private final int channels;
  private final int height;
  private final int width;
  private final String idColumn;

  private ImageDecoder(String column, int channels, int height, int width, String idColumn) {
    this.column = column;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.idColumn = idColumn;
  }

  /**
   * Decodes {@code column} to 3 channels (RGB), at each image's own size (all images of a batch
   * alike).
   */
  public static ImageDecoder of(String column) {
    return new ImageDecoder(column, 3, 0, 0, DEFAULT_ID_COLUMN);
  }

  /** Same, to 1 (grayscale) or 3 (RGB) channels. */
  public ImageDecoder channels(int c) {
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + c);
    }
    return new ImageDecoder(column, c, height, width, idColumn);
  }

  /** Same, every image resized to {@code h × w} (bilinear). */
  public ImageDecoder resize(int h, int w) {
    if (h <= 0 || w <= 0) {
      throw new IllegalArgumentException("resize to " + h + "x" + w + ": sizes must be > 0");
    }
    return new ImageDecoder(column, channels, h, w, idColumn);
  }

  /**
   * Same, errors naming a failing row also by its value in the integer column {@code id} when the
   * batch has it (for example a key column of the table).
   */
  public ImageDecoder idColumn(String id) {
    return new ImageDecoder(column, channels, height, width, java.util.Objects.requireNonNull(id));
  }

  @Override
  public TensorDict apply(TensorDict batch) {
    try (batch) {
      requireBytesColumn(batch);
      Tensor bytes = batch.get(column);
      Tensor offsets = batch.offsets(column);
      byte[] data = new byte[Math.toIntExact(bytes.numel())];
      long[] off = new long[Math.toIntExact(offsets.numel())];
      try (Tensor b = bytes.contiguous();
          Tensor o = offsets.to(ScalarType.Long)) {
        if (data.length > 0) { // an empty tensor's data pointer is null
          b.data_ptr_byte().get(data);
        }
        if (off.length > 0) {
          o.data_ptr_long().get(off);
        }
      }
      int rows = Math.max(0, off.length - 1);
      int h = height;
      int w = width;
      byte[] out = null;
      for (int r = 0; r < rows; r++) {
        BufferedImage img = decode(data, (int) off[r], (int) (off[r + 1] - off[r]), batch, r);
        if (out == null) {
          h = h > 0 ? h : img.getHeight();
          w = w > 0 ? w : img.getWidth();
          out =
              new byte
                  [Math.multiplyExact(
                      Math.multiplyExact(rows, channels), Math.multiplyExact(h, w))];
        } else if (height == 0 && (img.getHeight() != h || img.getWidth() != w)) {
          throw new IllegalArgumentException(
              where(batch, r)
                  + ": image is "
                  + img.getHeight()
                  + "x"
                  + img.getWidth()
                  + " but row 0 is "
                  + h
                  + "x"
                  + w
                  + "; give a resize");
        }
        planar(normalize(img, h, w), out, (long) r * channels * h * w, h, w);
      }
      LinkedHashMap<String, Tensor> rest = batch.release();
      rest.remove(column).close();
      rest.remove(column + OFFSETS_SUFFIX).close();
      LinkedHashMap<String, Tensor> result = new LinkedHashMap<>(rest);
      try {
        result.put(column, tensor(out == null ? new byte[0] : out, rows, h, w));
      } catch (RuntimeException | Error e) {
        result.values().forEach(Tensor::close);
        throw e;
      }
      return new TensorDict(result);
    }
  }

  /**
   * Checks that the batch holds {@link #column} as an encoded-image column: 1-D uint8 values and
   * their {@code .offsets}; otherwise an error naming the column and what it is.
   */
  private void requireBytesColumn(TensorDict batch) {
    String offsetsKey = column + OFFSETS_SUFFIX;
    if (!batch.containsKey(column)) {
      throw new IllegalArgumentException(
          "ImageDecoder: no column '" + column + "' in the batch; columns: " + batch.keySet());
    }
    Tensor values = batch.get(column);
    if (values.scalar_type().intern() != ScalarType.Byte
        || values.dim() != 1
        || !batch.containsKey(offsetsKey)) {
      throw new IllegalArgumentException(
          "ImageDecoder: column '"
              + column
              + "' is "
              + TensorText.describe(values)
              + (batch.containsKey(offsetsKey) ? "" : " without '" + offsetsKey + "'")
              + ", not an encoded-image column (a binary column arrives as uint8 values + '"
              + offsetsKey
              + "' in Format.TORCH_DICT)");
    }
  }

  private BufferedImage decode(byte[] data, int from, int len, TensorDict batch, int row) {
    // In memory: ImageIO.read(InputStream) would copy each image to a temporary file first (its
    // disk
    // cache): a file created, written, read back and deleted per image, in every epoch.
    try {
      ImageInputStream in =
          new MemoryCacheImageInputStream(new ByteArrayInputStream(data, from, len));
      BufferedImage img = ImageIO.read(in); // closes `in`, unless it returns null
      if (img == null) {
        in.close();
        throw new IllegalArgumentException(
            where(batch, row) + ": " + len + " bytes that no image reader recognises");
      }
      return img;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          where(batch, row) + ": undecodable image bytes (" + len + " bytes): " + e.getMessage(),
          e);
    }
  }

  /** "column 'c' row r of the batch" and, when the batch has the id column, "(id v)". */
  private String where(TensorDict batch, int row) {
    String at = "column '" + column + "' row " + row + " of the batch";
    Tensor ids = batch.containsKey(idColumn) ? batch.get(idColumn) : null;
    if (ids == null || ids.dim() != 1 || ids.size(0) <= row || ids.is_floating_point()) {
      return at;
    }
    try (Tensor one = ids.select(0, row);
        Tensor asLong = one.to(ScalarType.Long)) {
      return at + " (" + idColumn + " " + asLong.item_long() + ")";
    }
  }

  /**
   * The image as TYPE_BYTE_GRAY / TYPE_3BYTE_BGR of size h × w (drawn only when type or size
   * differ).
   */
  private BufferedImage normalize(BufferedImage img, int h, int w) {
    int type = channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR;
    if (img.getType() == type && img.getHeight() == h && img.getWidth() == w) {
      return img;
    }
    BufferedImage dst = new BufferedImage(w, h, type);
    Graphics2D g = dst.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(img, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return dst;
  }

  /** Interleaved gray / BGR bytes to planar (C, H, W) at out[base..]. */
  private void planar(BufferedImage img, byte[] out, long base, int h, int w) {
    byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    int plane = h * w;
    int b = (int) base;
    if (channels == 1) {
      System.arraycopy(px, 0, out, b, plane);
      return;
    }
    for (int i = 0; i < plane; i++) {
      out[b + i] = px[3 * i + 2];
      out[b + plane + i] = px[3 * i + 1];
      out[b + 2 * plane + i] = px[3 * i];
    }
  }

  private Tensor tensor(byte[] data, int rows, int h, int w) {
    try (TensorOptions o = new TensorOptions(ScalarType.Byte);
        MemoryFormatOptional f = new MemoryFormatOptional()) {
      Tensor t = torch.empty(new long[] {rows, channels, h, w}, o, f);
      if (data.length > 0) {
        t.data_ptr_byte().put(data, 0, data.length);
      }
      return t;
    }
  }
}
