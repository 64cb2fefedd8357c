package dev.lancetorch.permutation;

import dev.lancetorch.Connection;
import dev.lancetorch.ConnectionFactory;
import dev.lancetorch.Table;
import dev.lancetorch.TableRef;
import java.io.Serializable;

/**
 * How a permutation reopens its base table elsewhere, pinned to the version it was built on. No
 * native handles.
 */
sealed interface TableLocator extends Serializable {
  /** A new table handle the caller owns (closing it closes any connection opened for it). */
  Table open();

  /** Through the table's own reopen state (uri, name, storage options, version). */
  record ByRef(TableRef ref) implements TableLocator {
    @Override
    public Table open() {
      return ref.open();
    }
  }

  /** Through a user connection factory (credentials loaded by the worker). */
  record ByFactory(ConnectionFactory factory, String name, long version) implements TableLocator {
    @Override
    public Table open() {
      Connection c = factory.connect();
      try (Table t = c.openTable(name)) {
        return t.checkoutVersion(version).closingConnection(c);
      } catch (RuntimeException e) {
        c.close();
        throw e;
      }
    }
  }
}
