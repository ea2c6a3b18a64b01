package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.error.RelayException;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.ErrorResponses;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A non-streamed answer: the upstream still streams (so a client that leaves cancels the generation), the
 * chunks are folded by {@link OpenAiAnswer}, and at the end the API's one JSON object ({@link #answer}) is
 * written. Nothing is written before the end, so every failure, even one in the middle of the upstream
 * stream, gets a real HTTP status and an error body in the API's {@link ErrorFormat}.
 */
abstract class FoldedAnswerSink implements StreamSink {

  private final HttpServerResponse response;
  private final ErrorFormat format;
  private final OpenAiAnswer answer = new OpenAiAnswer();
  private boolean malformed;

  FoldedAnswerSink(HttpServerResponse response, ErrorFormat format) {
    this.response = response;
    this.format = format;
  }

  /**
   * The body to answer with, from the folded chunks and the stream's end; a {@link RelayException} is
   * answered as its error.
   */
  abstract JsonObject answer(OpenAiAnswer folded, StreamChunk end);

  /** Sees each upstream chunk after it was folded; nothing by default. */
  void observe(JsonObject chunk) {
  }

  @Override
  public final void head(StreamChunk head) {
  }

  @Override
  public final void delta(StreamChunk chunk) {
    if (chunk.raw() == null) {
      return;
    }
    try {
      JsonObject json = new JsonObject(chunk.raw());
      answer.add(json);
      observe(json);
    } catch (DecodeException | ClassCastException e) {
      // The provider checks that each chunk is a JSON object, so this should not happen; if it does,
      // the answer must not be passed off as complete.
      malformed = true;
    }
  }

  @Override
  public final void end(StreamChunk end) {
    if (malformed) {
      error(RelayError.of(ErrorType.UPSTREAM_PROTOCOL, "Malformed upstream stream: a chunk is not a JSON object"));
      return;
    }
    JsonObject body;
    try {
      body = answer(answer, end);
    } catch (RelayException e) {
      error(e.error());
      return;
    }
    response.setStatusCode(200).putHeader("Content-Type", "application/json").end(body.encode());
  }

  @Override
  public final void error(RelayError error) {
    ErrorResponses.send(response, error, format);
  }

  @Override
  public final boolean writeQueueFull() {
    return false;
  }

  @Override
  public final void drainHandler(Handler<Void> handler) {
  }
}
