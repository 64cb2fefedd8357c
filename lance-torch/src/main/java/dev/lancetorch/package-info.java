/**
 * LanceDB-layout databases over the Lance Java SDK: {@link dev.lancetorch.LanceDb#connect} → {@link
 * dev.lancetorch.Connection} → {@link dev.lancetorch.Table} → {@link dev.lancetorch.Query} / takes.
 *
 * <h2>Layout</h2>
 *
 * A database is a directory; table {@code t} is the Lance dataset {@code <dir>/t.lance}. Datasets
 * written there by other tools (Python LanceDB, the Lance SDK) are tables, and tables written here
 * open with {@code org.lance.Dataset.open}.
 *
 * <h2>memory://</h2>
 *
 * {@code memory://name} databases are real Lance datasets in a private temporary directory owned by
 * a JVM-wide registry, shared by every connection to the same name, and deleted when the last such
 * connection closes (or at JVM exit by a shutdown hook). {@code memory://} alone makes a fresh
 * anonymous database each time (its {@link dev.lancetorch.Connection#uri()} gives the generated
 * name, usable from other threads while it lives). Another JVM cannot see it: send the rows as an
 * Arrow IPC stream ({@link dev.lancetorch.Table#toArrowIpc} → {@link
 * dev.lancetorch.Connection#createTableFromArrowIpc}).
 *
 * <h2>Versions</h2>
 *
 * A table reads one snapshot (version) at a time. {@link dev.lancetorch.Table#checkoutVersion} and
 * {@link dev.lancetorch.Table#checkoutLatest} return <em>new</em> tables and leave the receiver
 * unchanged; a pinned table is read-only.
 *
 * <h2>Native memory</h2>
 *
 * Each connection owns one allocator (a child of the borrowed one in {@link
 * dev.lancetorch.ConnectOptions}, or its own root). Roots and readers returned by tables are owned
 * by the caller; data passed in as an {@code ArrowReader} is transferred (consumed and closed),
 * data passed in as a {@code VectorSchemaRoot} is borrowed. Each public method says which.
 *
 * <h2>Threads</h2>
 *
 * Connections and tables are safe for concurrent use; every read sees exactly one committed version
 * (see {@link dev.lancetorch.Table}). Builders, readers and roots are single-threaded.
 */
package dev.lancetorch;
