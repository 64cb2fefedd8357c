package dev.lancetorch.internal.read;

import java.util.List;

/**
 * One scan of a {@link ReadTable}: its columns, whether row ids and row addresses come with them,
 * the fragment scanned (null: all), the storage-order offset and limit (null: none), the batch size
 * and the batches Lance reads ahead (null: its default).
 */
public record ReadScan(
    List<String> columns,
    boolean rowId,
    boolean rowAddress,
    Integer fragmentId,
    Long offset,
    Long limit,
    int batchSize,
    Integer readahead) {
  public ReadScan {
    columns = List.copyOf(columns);
  }

  /** A scan of {@code columns} over all fragments. */
  public static ReadScan of(List<String> columns, int batchSize) {
    return new ReadScan(columns, false, false, null, null, null, batchSize, null);
  }

  /** The same scan with row ids when {@code on}. */
  public ReadScan withRowId(boolean on) {
    return new ReadScan(columns, on, rowAddress, fragmentId, offset, limit, batchSize, readahead);
  }

  /** The same scan with row addresses when {@code on}. */
  public ReadScan withRowAddress(boolean on) {
    return new ReadScan(columns, rowId, on, fragmentId, offset, limit, batchSize, readahead);
  }

  /** The same scan over fragment {@code id} only. */
  public ReadScan fragment(int id) {
    return new ReadScan(columns, rowId, rowAddress, id, offset, limit, batchSize, readahead);
  }

  /** The same scan starting at storage-order row {@code offset}. */
  public ReadScan offset(long offset) {
    return new ReadScan(
        columns, rowId, rowAddress, fragmentId, offset, limit, batchSize, readahead);
  }

  /** The same scan with Lance reading {@code batches} batches ahead. */
  public ReadScan readahead(int batches) {
    return new ReadScan(columns, rowId, rowAddress, fragmentId, offset, limit, batchSize, batches);
  }

  /** The same scan of at most {@code limit} rows. */
  public ReadScan limit(long limit) {
    return new ReadScan(
        columns, rowId, rowAddress, fragmentId, offset, limit, batchSize, readahead);
  }
}
