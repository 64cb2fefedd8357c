package dev.lancetorch.permutation;

/** The shuffle part of a {@link PermutationBuilder}: seed and clump size (1 = row level). */
record ShuffleSpec(long seed, int clumpSize) {}
