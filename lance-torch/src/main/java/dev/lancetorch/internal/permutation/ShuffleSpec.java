package dev.lancetorch.internal.permutation;

/** The shuffle part of a {@code PermutationBuilder}: seed and clump size (1 = row level). */
public record ShuffleSpec(long seed, int clumpSize) {}
