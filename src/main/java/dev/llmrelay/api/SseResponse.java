package dev.llmrelay.api;

import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.ErrorResponses;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;

/**
 * The chunked {@code text/event-stream} response under every streaming sink: it commits the head (200 and
 * the SSE headers) once, writes the frames a sink has built, tells the bus stream when the client is behind,
 * and sends the sink's keep-alive frame when the stream has been idle. Before the head is out a failure can
 * still be a real status with a JSON body ({@link #refuse}); after it, only a final event. The frames
 * themselves, and so the format, are the sink's.
 */
final class SseResponse {

  /** A comment: flushes the head at once, so the client knows the stream is open. */
  static final String CONNECTED = ": connected\n\n";
  static final String KEEP_ALIVE = ": keep-alive\n\n";

  private final HttpServerResponse response;
  private final long keepAliveMs;
  private final String keepAlive;
  private boolean committed;
  private long lastWriteAt = System.currentTimeMillis();

  /** With the {@link #KEEP_ALIVE} comment every {@code keepAliveMs} of quiet (0: never). */
  SseResponse(HttpServerResponse response, long keepAliveMs) {
    this(response, keepAliveMs, KEEP_ALIVE);
  }

  /** @param keepAlive the frame to send when idle, for a format that has its own (e.g. Anthropic's ping) */
  SseResponse(HttpServerResponse response, long keepAliveMs, String keepAlive) {
    this.response = response;
    this.keepAliveMs = keepAliveMs;
    this.keepAlive = keepAlive;
  }

  boolean committed() {
    return committed;
  }

  boolean ended() {
    return response.ended();
  }

  /** Adds a header to the head, if it is not out yet. */
  void header(String name, String value) {
    if (!committed) {
      response.putHeader(name, value);
    }
  }

  /** Commits the head with the {@link #CONNECTED} comment, unless it is out already. */
  void commit() {
    commit(CONNECTED);
  }

  /** Commits the head and writes {@code first}, unless the head is out already. */
  void commit(String first) {
    if (committed) {
      return;
    }
    committed = true;
    response.setStatusCode(200)
      .setChunked(true)
      .putHeader("Content-Type", "text/event-stream; charset=utf-8")
      .putHeader("Cache-Control", "no-cache, no-transform")
      .putHeader("X-Accel-Buffering", "no");
    write(first);
  }

  /** Writes frames; nothing once the response has ended (a sink that ended it early on a broken chunk). */
  void write(String frames) {
    if (response.ended()) {
      return;
    }
    lastWriteAt = System.currentTimeMillis();
    response.write(frames);
  }

  /** Writes the last frames and ends the response; nothing if it has ended. */
  void end(String last) {
    if (!response.ended()) {
      response.end(last);
    }
  }

  /** Before the head is out: answers with the error's status and a JSON body in {@code format}. */
  void refuse(RelayError error, ErrorFormat format) {
    ErrorResponses.send(response, error, format);
  }

  boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  void drainHandler(Handler<Void> handler) {
    response.drainHandler(handler);
  }

  /** Sends the keep-alive frame if the stream is open and nothing was written for {@code keepAliveMs}. */
  void tick(long now) {
    if (committed && keepAliveMs > 0 && now - lastWriteAt >= keepAliveMs && !response.ended()) {
      write(keepAlive);
    }
  }
}
