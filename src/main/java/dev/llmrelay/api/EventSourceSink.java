package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.error.RelayError;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Writes the relay's EventSource contract: each chunk as {@code event: message} with
 * {@code {"text", "metadata": {"model", "provider", "timestamp"}}}, a final {@code [DONE]} message
 * from provider {@code system} with finish reason, usage and cost (US dollars, null when unknown),
 * failures as {@code event: error}. Every
 * event has an increasing {@code id}. A sink that commits early (the browser GET) answers 200 at once
 * and reports every failure as an event, since EventSource cannot read an error body; otherwise the
 * status waits for the upstream's head, so failures before it get a real status and a JSON body.
 * With a response schema it also keeps the answer's text, to report its check in the final event.
 */
final class EventSourceSink implements StreamSink {

  private final HttpServerResponse response;
  private final long keepAliveMs;
  private final AnswerSchema schema;
  private final StringBuilder answer;
  private boolean committed;
  private long eventId;
  private long lastWriteAt = System.currentTimeMillis();

  /** @param schema the answer's JSON Schema, or null: then no text is kept */
  EventSourceSink(HttpServerResponse response, boolean commitEarly, long keepAliveMs, AnswerSchema schema) {
    this.response = response;
    this.keepAliveMs = keepAliveMs;
    this.schema = schema;
    this.answer = schema == null ? null : new StringBuilder();
    if (commitEarly) {
      commit();
    }
  }

  static void sseHeaders(HttpServerResponse response) {
    response.setStatusCode(200)
      .setChunked(true)
      .putHeader("Content-Type", "text/event-stream; charset=utf-8")
      .putHeader("Cache-Control", "no-cache, no-transform")
      .putHeader("X-Accel-Buffering", "no");
  }

  @Override
  public void head(StreamChunk head) {
    if (!committed) {
      commit();
    }
  }

  @Override
  public void delta(StreamChunk chunk) {
    if (answer != null) {
      answer.append(chunk.text());
    }
    StringBuilder frame = SseFrames.open(++eventId, "message", chunk.text().length() + 100).append("{\"text\":");
    SseFrames.quote(frame, chunk.text()).append(",\"metadata\":{\"model\":");
    SseFrames.quote(frame, chunk.model()).append(",\"provider\":\"openrouter\",\"timestamp\":")
      .append(System.currentTimeMillis()).append("}}");
    write(SseFrames.close(frame));
  }

  @Override
  public void end(StreamChunk end) {
    StringBuilder json = new StringBuilder(200).append("{\"text\":\"[DONE]\",\"metadata\":{\"model\":");
    SseFrames.quote(json, end.model()).append(",\"provider\":\"system\",\"timestamp\":")
      .append(System.currentTimeMillis()).append(",\"finishReason\":");
    SseFrames.quote(json, end.finishReason()).append(",\"usage\":")
      .append(end.usage() == null ? "null" : end.usage())
      .append(",\"cost\":").append(cost(end.usage()));
    if (schema != null) {
      json.append(",\"validation\":").append(schema.check(answer.toString()).encode());
    }
    json.append("}}");
    if (!committed) {
      commit();
    }
    response.end(SseFrames.event(++eventId, "message", json));
  }

  /** {@code usage.cost} (US dollars), or null: once per stream. */
  static Number cost(String usage) {
    try {
      return usage != null && new JsonObject(usage).getValue("cost") instanceof Number n ? n : null;
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  @Override
  public void error(RelayError error) {
    if (!committed) {
      JsonErrors.send(response, error);
      return;
    }
    response.end(SseFrames.event(++eventId, "error", error.toJson().encode()));
  }

  @Override
  public boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    response.drainHandler(handler);
  }

  @Override
  public void tick(long now) {
    if (committed && keepAliveMs > 0 && now - lastWriteAt >= keepAliveMs && !response.ended()) {
      write(": keep-alive\n\n");
    }
  }

  private void commit() {
    committed = true;
    sseHeaders(response);
    // A comment flushes the headers at once, so the client knows the stream is open.
    write(": connected\n\n");
  }

  private void write(String text) {
    lastWriteAt = System.currentTimeMillis();
    response.write(text);
  }
}
