package dev.llmrelay.edge;

import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonObject;

/**
 * One JSON line per completion stream on the logger {@code dev.llmrelay.access}: request id,
 * endpoint, status, client key name, model, time to first token, duration, tokens and the outcome.
 * Built only from those fields, so no prompt text, answer text, key or token can reach it. Lines go
 * through one {@link LogWriter} per process, off the event loops; beyond {@link #BACKLOG} unwritten
 * lines they are dropped and counted ({@code relay_access_log_dropped_total}).
 */
public final class AccessLog {

  static final String LOGGER = "dev.llmrelay.access";
  static final int BACKLOG = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
  private static final LogWriter WRITER = new LogWriter(BACKLOG, LOG::info, "relay-access-log");

  void stream(JsonObject line) {
    WRITER.write(line.encode());
  }

  static long dropped() {
    return WRITER.dropped();
  }

  /** Writes the lines still queued; for shutdown. */
  public static void flush() {
    WRITER.flush();
  }
}
