package dev.lancetorch.internal.permutation;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.UInt8Vector;

/**
 * A shuffled permutation table too large to hold: a two-pass external shuffle. Pass 1 streams the
 * rows (split assigned on the fly) and appends each row — or each clump of {@code clumpSize}
 * consecutive rows of its split — to one of B bucket files of its split, chosen at random; pass 2
 * loads one bucket at a time, shuffles it in memory and writes it out. Random bucket assignment
 * followed by independent in-bucket shuffles gives a uniformly random order. Memory: one bucket
 * (about {@code maxRows / 2} addresses); disk: 8 bytes per row in the temp directory, deleted on
 * close. The result depends on the seeds and on {@code maxRows} (which sets B).
 */
public final class SpilledShuffleReader extends PermutationRowsReader {
  private static final int BATCH = 1 << 20;
  private final ShuffleSpec shuffle;
  private final Path dir;
  private final int numSplits;
  private final int buckets;
  private int split;
  private int bucket = -1;
  private long[] current = new long[0];
  private int position;

  public SpilledShuffleReader(
      BufferAllocator allocator,
      BaseTable base,
      String filter,
      SplitSpec spec,
      ShuffleSpec shuffle,
      long maxRows) {
    super(allocator, spec == null ? null : spec.names(), SplitSpec.declared(spec), base.version());
    this.shuffle = shuffle;
    long n = SplitAssigner.count(base, filter);
    this.buckets = (int) Math.min(4096, Math.max(1, 2 * ((n + maxRows - 1) / maxRows)));
    try {
      this.dir = Files.createTempDirectory("lancetorch-shuffle-");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "creating a temp directory for the shuffle of table '" + base.name() + "'", e);
    }
    int splits;
    try {
      splits = spill(base, filter, spec);
    } catch (IOException e) {
      deleteSpillFiles(e);
      throw new UncheckedIOException(
          "spilling the shuffle of table '" + base.name() + "' to " + dir, e);
    } catch (RuntimeException | Error e) {
      deleteSpillFiles(e);
      throw e;
    }
    this.numSplits = splits;
  }

  /**
   * On a failed spill: removes the files written so far, recording a failure to do so on {@code
   * cause}.
   */
  private void deleteSpillFiles(Throwable cause) {
    try {
      closeReadSource();
    } catch (IOException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  private Path file(int k, int b) {
    return dir.resolve(k + "-" + b + ".bin");
  }

  /**
   * Pass 1: every kept row's address into a random bucket of its split; returns the number of
   * splits seen.
   */
  private int spill(BaseTable base, String filter, SplitSpec spec) throws IOException {
    SplitAssigner assigner = SplitAssigner.of(base, filter, spec);
    boolean perRow = spec instanceof SplitSpec.Hash || spec instanceof SplitSpec.Calculated;
    SplittableRandom rnd = new SplittableRandom(shuffle.seed());
    java.util.Map<Long, DataOutputStream> out = new java.util.HashMap<>();
    java.util.Map<Integer, long[]> clumpState =
        new java.util.HashMap<>(); // split -> {rows seen, bucket}
    int maxSplit = -1;
    try (RowStream rows = RowStream.open(base, filter, spec)) {
      while (rows.next()) {
        for (int i = 0; i < rows.size; i++) {
          int k = assigner != null ? assigner.next() : perRow ? rows.splits[i] : 0;
          if (k < 0) {
            continue;
          }
          maxSplit = Math.max(maxSplit, k);
          long[] st = clumpState.computeIfAbsent(k, x -> new long[2]);
          if (st[0]++ % shuffle.clumpSize() == 0) {
            st[1] = rnd.nextInt(buckets);
          }
          int b = (int) st[1];
          long key = ((long) k << 32) | b;
          DataOutputStream o = out.get(key);
          if (o == null) {
            o =
                new DataOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(file(k, b)), 1 << 16));
            out.put(key, o);
          }
          o.writeLong(rows.addrs[i]);
        }
      }
    } finally {
      for (DataOutputStream o : out.values()) {
        o.close();
      }
    }
    int names = spec != null && spec.names() != null ? spec.names().size() : 0;
    return Math.max(maxSplit + 1, names);
  }

  /** Pass 2: the next bucket, loaded and shuffled; false when all are done. */
  private boolean nextBucket() throws IOException {
    while (true) {
      bucket++;
      if (bucket == buckets) {
        bucket = 0;
        split++;
      }
      if (split >= numSplits) {
        return false;
      }
      Path f = file(split, bucket);
      if (!Files.exists(f)) {
        continue;
      }
      long count = Files.size(f) / 8;
      long[] a = new long[Math.toIntExact(count)];
      try (DataInputStream in =
          new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
        for (int i = 0; i < a.length; i++) {
          a[i] = in.readLong();
        }
      } catch (EOFException e) {
        throw new IOException("spill file " + f + " is truncated", e);
      }
      Files.delete(f);
      current =
          PermutationPlan.shuffled(
              a,
              shuffle.clumpSize(),
              new SplittableRandom(
                  shuffle.seed()
                      ^ (0x9E3779B97F4A7C15L * (split + 1))
                      ^ (0xBF58476D1CE4E5B9L * bucket)));
      position = 0;
      if (current.length > 0) {
        return true;
      }
    }
  }

  @Override
  int fill(UInt8Vector ids, UInt8Vector splits) throws IOException {
    if (position == current.length && !nextBucket()) {
      return 0;
    }
    int n = fillSplit(current, position, BATCH, split, ids, splits);
    position += n;
    return n;
  }

  @Override
  protected void closeReadSource() throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
