package dev.lancetorch.internal.loader;

/** A finished task as the consumer receives it; {@code value} is null when the task was skipped. */
public record Delivered<R>(LoaderTask task, R value) {}
