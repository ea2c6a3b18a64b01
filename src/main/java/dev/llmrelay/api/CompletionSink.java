package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.error.RelayError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Collects a whole answer for {@code POST /api/v1/llm/complete}: {@code {text, metadata}}, or a JSON error. */
final class CompletionSink implements StreamSink {

  private final HttpServerResponse response;
  private final StringBuilder text = new StringBuilder();

  CompletionSink(HttpServerResponse response) {
    this.response = response;
  }

  @Override
  public void head(StreamChunk head) {
  }

  @Override
  public void delta(StreamChunk chunk) {
    text.append(chunk.text());
  }

  @Override
  public void end(StreamChunk end) {
    JsonObject metadata = new JsonObject()
      .put("model", end.model())
      .put("provider", "openrouter")
      .put("timestamp", System.currentTimeMillis())
      .put("finishReason", end.finishReason())
      .put("usage", end.usage() == null ? null : new JsonObject(end.usage()));
    response.putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("text", text.toString()).put("metadata", metadata).encode());
  }

  @Override
  public void error(RelayError error) {
    JsonErrors.send(response, error);
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
  }
}
