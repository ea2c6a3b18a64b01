package dev.llmrelay.testing;

import io.vertx.core.json.JsonObject;

/** One event as a client received it (test-side parse, independent of the relay's decoder). */
public record SseEvent(String id, String event, String data) {

  public JsonObject json() {
    return new JsonObject(data);
  }
}
