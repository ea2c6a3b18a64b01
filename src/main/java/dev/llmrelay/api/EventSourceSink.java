package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.bus.UsageFigures;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.JsonText;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes the relay's EventSource contract: each chunk as {@code event: message} with
 * {@code {"text", "metadata": {"model", "provider", "timestamp"}}}, a final {@code [DONE]} message
 * from provider {@code system} with finish reason, usage and cost (US dollars, null when unknown),
 * failures as {@code event: error}. Every
 * event has an increasing {@code id}. A sink that commits early (the browser GET) answers 200 at once
 * and reports every failure as an event, since EventSource cannot read an error body; otherwise the
 * status waits for the upstream's head, so failures before it get a real status and a JSON body.
 * With a response schema it also keeps the answer's text, to report its check in the final event.
 *
 * <p>A resumable stream's events have the id {@code <streamId>:<seq>}, its response the header
 * {@code X-Stream-Id} and a {@code retry:} hint, so a browser that loses the connection comes back
 * within about a second with {@code Last-Event-ID} and the stream goes on from there. Its first event,
 * {@code event: stream} with {@code {"streamId"}} and id {@code <streamId>:1}, names it.
 */
final class EventSourceSink extends SseSink {

  /** How soon a browser should reconnect to a resumable stream it lost. */
  static final long RETRY_MS = 1_000;

  private final AnswerSchema schema;
  private final StringBuilder answer;
  private final String streamId;
  /** A new resumable stream, whose first event names it. */
  private final boolean announce;
  private long eventId;

  /** @param schema the answer's JSON Schema, or null: then no text is kept */
  EventSourceSink(HttpServerResponse response, boolean commitEarly, long keepAliveMs, AnswerSchema schema) {
    this(response, commitEarly, keepAliveMs, schema, null, 0);
  }

  /**
   * @param streamId a resumable stream's public id, or null for a plain stream
   * @param lastSeq  the seq of the last event this client has (a resumed stream), or 0 for a new one,
   *                 whose first event (seq 1) names it; the provider's events start at 2
   */
  EventSourceSink(HttpServerResponse response, boolean commitEarly, long keepAliveMs, AnswerSchema schema,
                  String streamId, long lastSeq) {
    super(new SseResponse(response, keepAliveMs));
    this.schema = schema;
    this.answer = schema == null ? null : new StringBuilder();
    this.streamId = streamId;
    this.eventId = streamId == null ? 0 : Math.max(1, lastSeq);
    this.announce = streamId != null && lastSeq == 0;
    if (commitEarly) {
      commit();
    }
  }

  @Override
  public void head(StreamChunk head) {
    commit();
  }

  private void commit() {
    if (streamId == null) {
      sse.commit();
      return;
    }
    sse.header("X-Stream-Id", streamId);
    // The new stream's first event, <streamId>:1, names it: a browser (which cannot read headers) can cancel
    // it at once, and one that loses the connection before the first token still comes back with this
    // stream's id, not as a new request.
    sse.commit("retry: " + RETRY_MS + "\n\n" + (announce
      ? "id: " + streamId + ":1\nevent: stream\ndata: {\"streamId\":\"" + streamId + "\"}\n\n" : "")
      + SseResponse.CONNECTED);
  }

  @Override
  public void delta(StreamChunk chunk) {
    if (answer != null) {
      answer.append(chunk.text());
    }
    StringBuilder frame = SseFrames.open(streamId, nextId(chunk), "message", chunk.text().length() + 140)
      .append("{\"text\":");
    JsonText.quote(frame, chunk.text()).append(",\"metadata\":{\"model\":");
    IsoTime.appendQuoted(JsonText.quote(frame, chunk.model()).append(",\"provider\":\"openrouter\",\"timestamp\":"),
      System.currentTimeMillis()).append("}}");
    sse.write(SseFrames.close(frame));
  }

  @Override
  public void end(StreamChunk end) {
    StringBuilder json = new StringBuilder(200).append("{\"text\":\"[DONE]\",\"metadata\":{\"model\":");
    IsoTime.appendQuoted(JsonText.quote(json, end.model()).append(",\"provider\":\"system\",\"timestamp\":"),
      System.currentTimeMillis()).append(",\"finishReason\":");
    JsonText.quote(json, end.finishReason()).append(",\"usage\":")
      .append(end.usage() == null ? "null" : end.usage())
      .append(",\"cost\":").append(cost(end.usage()));
    if (schema != null) {
      json.append(",\"validation\":").append(schema.check(answer.toString()).encode());
    }
    json.append("}}");
    commit();
    sse.end(SseFrames.event(streamId, nextId(end), "message", json));
  }

  /** {@code usage.cost} (US dollars), or null: once per stream. */
  static Number cost(String usage) {
    UsageFigures figures = UsageFigures.read(usage);
    return figures == null ? null : figures.cost();
  }

  @Override
  public void error(RelayError error) {
    if (!sse.committed()) {
      sse.refuse(error, ErrorFormat.RELAY);
      return;
    }
    sse.end(SseFrames.event(streamId, ++eventId, "error", error.toJson().encode()));
  }

  /** A resumable stream's events carry the provider's seq, the same on every connection; others count. */
  private long nextId(StreamChunk chunk) {
    eventId = streamId == null ? eventId + 1 : chunk.seq();
    return eventId;
  }

}
