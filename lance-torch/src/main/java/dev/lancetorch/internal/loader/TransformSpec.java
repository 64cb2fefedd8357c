package dev.lancetorch.internal.loader;

import dev.lancetorch.loader.TransformErrorHandler;
import java.util.function.Function;

/**
 * A loader's collate or transform, its error policy, and the threads running it (0: the worker's
 * thread).
 */
public record TransformSpec<R>(
    Function<Object, R> fn, TransformErrorHandler<R> onError, int parallelism) {}
