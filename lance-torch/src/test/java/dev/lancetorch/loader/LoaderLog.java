package dev.lancetorch.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * While open, records what is logged on {@code dev.lancetorch.loader} at WARNING or above (the
 * tests route slf4j to java.util.logging).
 */
final class LoaderLog implements AutoCloseable {
  private final List<LogRecord> records = new ArrayList<>();
  private final Logger logger = Logger.getLogger("dev.lancetorch.loader");
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            synchronized (records) {
              records.add(r);
            }
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  LoaderLog() {
    logger.addHandler(handler);
  }

  /** The records so far, in order. */
  List<LogRecord> records() {
    synchronized (records) {
      return new ArrayList<>(records);
    }
  }

  /** Their messages. */
  List<String> messages() {
    return records().stream().map(LogRecord::getMessage).toList();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
