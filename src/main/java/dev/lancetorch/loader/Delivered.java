package dev.lancetorch.loader;

/** A finished task as the consumer receives it; {@code value} is null when the task was skipped. */
record Delivered<R>(LoaderTask task, R value) {}
