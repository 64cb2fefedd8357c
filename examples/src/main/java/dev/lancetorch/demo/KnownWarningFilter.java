package dev.lancetorch.demo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops one known log message, matched exactly (the examples' {@code logback.xml} names it): the
 * warning JavaCPP logs at start-up that {@code javacpp} and the pinned {@code openblas} versions
 * differ, which README.md ("Dependencies") explains. Any other message, including that warning for
 * other versions, passes.
 */
public final class KnownWarningFilter extends TurboFilter {
  private String message;

  /** The exact message to drop (set by logback from the configuration). */
  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return message != null && message.equals(format) ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
