package dev.llmrelay.edge;

import io.vertx.core.internal.logging.Logger;
import io.vertx.core.internal.logging.LoggerFactory;
import io.vertx.core.json.JsonObject;

/**
 * One JSON line per completion stream on the logger {@code dev.llmrelay.access}: request id,
 * endpoint, status, client key name, model, time to first token, duration, tokens and the outcome.
 * Built only from those fields, so no prompt text, answer text, key or token can reach it.
 */
final class AccessLog {

  static final String LOGGER = "dev.llmrelay.access";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  void stream(JsonObject line) {
    LOG.info(line.encode());
  }
}
