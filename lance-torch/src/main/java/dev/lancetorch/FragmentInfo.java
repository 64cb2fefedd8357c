package dev.lancetorch;

/**
 * One Lance fragment of a table snapshot (plain data, no native memory).
 *
 * @param id the fragment id (the high 32 bits of the row addresses of its rows)
 * @param numRows live rows (physical rows minus deleted rows)
 * @param physicalRows rows physically stored, deleted ones included
 */
public record FragmentInfo(int id, long numRows, long physicalRows) {}
