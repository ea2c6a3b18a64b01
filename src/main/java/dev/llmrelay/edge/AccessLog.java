package dev.llmrelay.edge;

import dev.llmrelay.http.JsonText;
import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;

/**
 * One JSON line per completion stream on the logger {@code dev.llmrelay.access}: request id,
 * endpoint, status, client key name, model, time to first token, duration, tokens and the outcome.
 * Built only from those fields, so no prompt text, answer text, key or token can reach it. Lines go
 * through the relay's own {@link LogWriter}, off the event loops; beyond {@link #BACKLOG} unwritten
 * lines they are dropped and counted ({@code relay_access_log_dropped_total}). One per {@link Edge}, closed
 * with it when the relay stops.
 */
final class AccessLog {

  static final String LOGGER = "dev.llmrelay.access";
  static final int BACKLOG = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  private final LogWriter writer = new LogWriter(BACKLOG, LOG::info, "relay-access-log");

  void stream(Line line) {
    writer.write(line.close());
  }

  long dropped() {
    return writer.dropped();
  }

  /** Stops the writer thread and writes the lines still queued; for shutdown. */
  void close() {
    writer.close();
  }

  /**
   * One line's JSON object, its members in the order they are added, written as they are added (a line per
   * stream, built on the event loop without a map and its encoder). Strings are escaped; null is {@code null}.
   */
  static final class Line {

    private final StringBuilder json = new StringBuilder(320).append('{');

    Line put(String name, String value) {
      JsonText.quote(name(name), value);
      return this;
    }

    Line put(String name, long value) {
      name(name).append(value);
      return this;
    }

    /** A number, or {@code null}: doubles as Jackson writes them ({@link Double#toString}). */
    Line put(String name, Number value) {
      name(name).append(value == null ? "null" : value.toString());
      return this;
    }

    private StringBuilder name(String name) {
      if (json.length() > 1) {
        json.append(',');
      }
      return json.append('"').append(name).append("\":");
    }

    String close() {
      return json.append('}').toString();
    }
  }
}
