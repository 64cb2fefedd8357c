package dev.lancetorch.internal.permutation;

import dev.lancetorch.permutation.PermutationBuilder;

/** The shuffle part of a {@link PermutationBuilder}: seed and clump size (1 = row level). */
public record ShuffleSpec(long seed, int clumpSize) {}
