package dev.lancetorch.loader;

import dev.lancetorch.internal.loader.TransformSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The options {@link DataLoader.Builder} and {@link StreamingDataset.Builder} share: the source,
 * the transform (a loader's collate or a dataset's transform) and its {@link OnTransformError}
 * policy, ranks, workers, prefetch, shuffle, seed and timeout, and how a builder is copied when the
 * transform changes its result type.
 *
 * @param <B> the source's batch type
 * @param <T> the type yielded after the transform
 * @param <S> the concrete builder
 */
abstract class LoaderBuilder<B, T, S extends LoaderBuilder<B, T, S>> implements Cloneable {
  // withTransform(...) copies the builder with clone(): every field is carried over, whatever
  // fields are added later.
  final BatchSource<B> source; // null when each build() makes its own (perBuild)
  private final Supplier<? extends BatchSource<B>> perBuild;
  Function<? super B, ?> transform;
  TransformErrorHandler<?> onError = OnTransformError.RAISE;
  int rank;
  int worldSize = 1;
  int numWorkers;
  private final int minWorkers;
  int prefetch;
  boolean shuffle;
  long seed;
  Duration timeout = Duration.ZERO;

  LoaderBuilder(
      BatchSource<B> source, int minWorkers, int numWorkers, int prefetch, boolean shuffle) {
    this(Objects.requireNonNull(source, "source"), null, minWorkers, numWorkers, prefetch, shuffle);
  }

  /**
   * A builder whose every {@code build()} makes its own source with {@code perBuild}, owned by the
   * loader it builds (closed with it): e.g. the permutation over a table.
   */
  LoaderBuilder(
      Supplier<? extends BatchSource<B>> perBuild,
      int minWorkers,
      int numWorkers,
      int prefetch,
      boolean shuffle) {
    this(
        null,
        Objects.requireNonNull(perBuild, "perBuild"),
        minWorkers,
        numWorkers,
        prefetch,
        shuffle);
  }

  private LoaderBuilder(
      BatchSource<B> source,
      Supplier<? extends BatchSource<B>> perBuild,
      int minWorkers,
      int numWorkers,
      int prefetch,
      boolean shuffle) {
    this.source = source;
    this.perBuild = perBuild;
    this.transform = Function.identity();
    this.minWorkers = minWorkers;
    this.numWorkers = numWorkers;
    this.prefetch = prefetch;
    this.shuffle = shuffle;
  }

  /**
   * The source of the loader being built: the one given (borrowed), or a new one (owned by that
   * loader: {@link #ownsSource()}).
   */
  final BatchSource<B> sourceForBuild() {
    return source != null ? source : perBuild.get();
  }

  /** Whether the loader owns (closes) the source {@link #sourceForBuild()} gave it. */
  final boolean ownsSource() {
    return source == null;
  }

  @SuppressWarnings("unchecked")
  private S self() {
    return (S) this;
  }

  /**
   * A copy of this builder with another transform; clone() carries every other field over.
   *
   * @throws IllegalStateException if a custom {@link TransformErrorHandler} was set: it is typed to
   *     the old result type
   */
  @SuppressWarnings("unchecked")
  final <N> N withTransform(Function<? super B, ?> fn, String what) {
    Objects.requireNonNull(fn, what);
    if (!(onError instanceof OnTransformError)) {
      throw new IllegalStateException(
          "onTransformError(handler) was set before "
              + what
              + "(...): a custom handler returns values of the old type; set it after "
              + what
              + "(...)");
    }
    try {
      LoaderBuilder<B, ?, ?> n = (LoaderBuilder<B, ?, ?>) super.clone();
      n.transform = fn;
      return (N) n;
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }

  final S prefetch(String name, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + v);
    }
    prefetch = v;
    return self();
  }

  /** The transform and its error policy, on {@code parallelism} threads (0: the worker's). */
  @SuppressWarnings("unchecked")
  final TransformSpec<T> transformSpec(int parallelism) {
    TransformErrorHandler<T> handler = (TransformErrorHandler<T>) onError;
    TransformSpec.OnError mode =
        handler == OnTransformError.RAISE
            ? TransformSpec.OnError.RAISE
            : handler == OnTransformError.WARN
                ? TransformSpec.OnError.WARN
                : TransformSpec.OnError.HANDLE;
    return new TransformSpec<>(
        (Function<Object, T>) transform,
        mode,
        (error, position) -> handler.onError(error, BatchPosition.of(position)),
        parallelism,
        (message, position, cause) ->
            new DataLoaderException(message, BatchPosition.of(position), cause));
  }

  /** The rank/world-size check of {@code build()}, however they were set. */
  final void checkRanks() {
    Ranks.check(rank, worldSize);
  }

  /** This process's rank and the number of ranks (default 0 of 1). */
  public S distributed(int rank, int worldSize) {
    Ranks.check(rank, worldSize);
    this.rank = rank;
    this.worldSize = worldSize;
    return self();
  }

  /**
   * This process's rank (as PyTorch's {@code rank}); with {@link #worldSize(int)}, same as {@code
   * distributed}.
   */
  public S rank(int rank) {
    this.rank = rank;
    return self();
  }

  /**
   * Number of processes sharing the data (as PyTorch's {@code world_size}); checked against rank at
   * build.
   */
  public S worldSize(int worldSize) {
    this.worldSize = worldSize;
    return self();
  }

  /**
   * Worker threads of this process, each with its own handle ({@code DataLoader}: default 0, load
   * in the caller's thread from the source itself; {@code StreamingDataset}: default 1, at least
   * 1).
   */
  public S numWorkers(int v) {
    if (v < minWorkers) {
      throw new IllegalArgumentException("numWorkers must be >= " + minWorkers + ", got " + v);
    }
    numWorkers = v;
    return self();
  }

  /**
   * A fresh order each epoch from the seed and the epoch ({@code DataLoader}: default false,
   * ignored when a sampler is set; {@code StreamingDataset}: default true).
   */
  public S shuffle(boolean v) {
    shuffle = v;
    return self();
  }

  /**
   * Longest wait for one batch with workers (default zero: no limit; not applied when a {@code
   * DataLoader} loads in the caller's thread).
   *
   * @throws IllegalArgumentException if {@code v} is negative
   */
  public S timeout(Duration v) {
    if (Objects.requireNonNull(v, "timeout").isNegative()) {
      throw new IllegalArgumentException("timeout must be >= 0 (0 = no limit), got " + v);
    }
    timeout = v;
    return self();
  }

  /**
   * What a transform (collate) error does: default {@link OnTransformError#RAISE}. Set after the
   * transform.
   */
  public S onTransformError(OnTransformError policy) {
    onError = Objects.requireNonNull(policy);
    return self();
  }

  /**
   * A custom policy: replacement, skip (null) or fail (throw). Set after the transform (collate).
   */
  public S onTransformError(TransformErrorHandler<? extends T> handler) {
    onError = Objects.requireNonNull(handler);
    return self();
  }
}
