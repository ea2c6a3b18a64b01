package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.ErrorResponses;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Collects a whole answer for {@code POST /api/v1/llm/complete}: {@code {text, metadata}} (with the
 * schema check as {@code metadata.validation} when the request had a response schema), or a JSON error.
 */
final class CompletionSink implements StreamSink {

  private final HttpServerResponse response;
  private final AnswerSchema schema;
  private final StringBuilder text = new StringBuilder();

  /** @param schema the answer's JSON Schema, or null */
  CompletionSink(HttpServerResponse response, AnswerSchema schema) {
    this.response = response;
    this.schema = schema;
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
      .put("timestamp", IsoTime.format(System.currentTimeMillis()))
      .put("finishReason", end.finishReason())
      .put("usage", end.usage() == null ? null : new JsonObject(end.usage()))
      .put("cost", EventSourceSink.cost(end.usage()));
    if (schema != null) {
      metadata.put("validation", schema.check(text.toString()));
    }
    response.putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("text", text.toString()).put("metadata", metadata).encode());
  }

  @Override
  public void error(RelayError error) {
    ErrorResponses.send(response, error, ErrorFormat.RELAY);
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
  }
}
