package dev.llmrelay.edge;

import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonObject;

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

  void stream(JsonObject line) {
    writer.write(line.encode());
  }

  long dropped() {
    return writer.dropped();
  }

  /** Stops the writer thread and writes the lines still queued; for shutdown. */
  void close() {
    writer.close();
  }
}
