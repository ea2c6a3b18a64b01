package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.ErrorFormat;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes the relay's EventSource contract: each chunk as {@code event: message} with
 * {@code {"text", "metadata": {"model", "provider", "timestamp"}}}, a final {@code [DONE]} message
 * from provider {@code system} with finish reason and usage, failures as {@code event: error}. Every
 * event has an increasing {@code id}. A sink that commits early (the browser GET) answers 200 at once
 * and reports every failure as an event, since EventSource cannot read an error body; otherwise the
 * status waits for the upstream's head, so failures before it get a real status and a JSON body.
 * With a response schema it also keeps the answer's text, to report its check in the final event.
 */
final class EventSourceSink implements StreamSink {

  private final SseResponse sse;
  private final AnswerSchema schema;
  private final StringBuilder answer;
  private long eventId;

  /** @param schema the answer's JSON Schema, or null: then no text is kept */
  EventSourceSink(HttpServerResponse response, boolean commitEarly, long keepAliveMs, AnswerSchema schema) {
    this.sse = new SseResponse(response, keepAliveMs);
    this.schema = schema;
    this.answer = schema == null ? null : new StringBuilder();
    if (commitEarly) {
      sse.commit();
    }
  }

  @Override
  public void head(StreamChunk head) {
    sse.commit();
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
    sse.write(SseFrames.close(frame));
  }

  @Override
  public void end(StreamChunk end) {
    StringBuilder json = new StringBuilder(200).append("{\"text\":\"[DONE]\",\"metadata\":{\"model\":");
    SseFrames.quote(json, end.model()).append(",\"provider\":\"system\",\"timestamp\":")
      .append(System.currentTimeMillis()).append(",\"finishReason\":");
    SseFrames.quote(json, end.finishReason()).append(",\"usage\":")
      .append(end.usage() == null ? "null" : end.usage());
    if (schema != null) {
      json.append(",\"validation\":").append(schema.check(answer.toString()).encode());
    }
    json.append("}}");
    sse.commit();
    sse.end(SseFrames.event(++eventId, "message", json));
  }

  @Override
  public void error(RelayError error) {
    if (!sse.committed()) {
      sse.refuse(error, ErrorFormat.RELAY);
      return;
    }
    sse.end(SseFrames.event(++eventId, "error", error.toJson().encode()));
  }

  @Override
  public boolean writeQueueFull() {
    return sse.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    sse.drainHandler(handler);
  }

  @Override
  public void tick(long now) {
    sse.tick(now);
  }
}
