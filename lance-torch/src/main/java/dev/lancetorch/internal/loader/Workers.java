package dev.lancetorch.internal.loader;

/**
 * How a loader's workers run: the source each reopens its own handle of (never closed by the
 * engine), how many there are (0: load in the consumer's thread), whether they are kept across
 * epochs, and the seed and init each starts with.
 */
public record Workers(
    RowSource<Object> source, int count, boolean persistent, long seed, WorkerStart init) {}
