/**
 * The process's thread budget ({@link dev.lancetorch.threads.ThreadBudget}): how many threads
 * torch, OpenBLAS, the loader's workers, the read planner and Lance's runtime each get. Below the
 * root package and {@code torch}, which both apply it; above {@code internal.jni}, which holds its
 * policy and state.
 */
package dev.lancetorch.threads;
