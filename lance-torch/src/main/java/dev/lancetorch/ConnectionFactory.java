package dev.lancetorch;

import java.io.Serializable;

/**
 * Opens a {@link Connection} where a worker runs (another thread or another JVM), for users who
 * load credentials in the worker instead of shipping them inside a permutation's reopen state. Must
 * be {@link Serializable} so a permutation carrying it can travel; the connection it returns is
 * owned by the caller.
 */
@FunctionalInterface
public interface ConnectionFactory extends Serializable {
  /** A new connection, owned by the caller. */
  Connection connect();
}
