/**
 * Feeding training loops from a {@link dev.lancetorch.loader.BatchSource} (in practice a Lance
 * {@code Permutation}, which already applied column projection and SQL filters).
 *
 * <ul>
 *   <li>{@link dev.lancetorch.loader.DataLoader}: PyTorch-style map-style loading — samplers, batch
 *       samplers, collate, worker threads with bounded prefetch, in-order or first-ready delivery,
 *       {@code DistributedSampler}-style sharding, timeouts, exact mid-epoch resume ({@link
 *       dev.lancetorch.loader.LoaderState}), metrics and progress.
 *   <li>{@link dev.lancetorch.loader.StreamingDataset}: fixed splits read sequentially with
 *       split-level and clump-level shuffling, a parallel transform with an error policy, and
 *       per-split progress that can be merged across ranks and resumed on a different world size
 *       ({@link dev.lancetorch.loader.StreamingState}).
 * </ul>
 *
 * <p><b>Ownership, in one line:</b> the loaders never close the source they are given; each worker
 * closes the handle it reopened; collate / transform own their input from the call on; the caller
 * owns and closes every batch it receives; batches loaded but never received are closed by the
 * loader.
 *
 * <p>Worker threads are daemon threads named {@code lancetorch-loader-<id>-worker-<n>} (transform
 * threads {@code lancetorch-loader-<id>-transform-<n>}); closing a loader stops them.
 */
package dev.lancetorch.loader;
