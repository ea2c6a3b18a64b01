package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.ErrorResponses;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Answers {@code POST /v1/responses} without {@code stream}: the upstream still streams (so a client that
 * leaves cancels the generation), the chunks are folded by {@link OpenAiAnswer} and the result written as
 * one {@code response} object ({@link ResponsesObject}). Nothing is written before the end, so every failure,
 * even one in the middle of the upstream stream, gets a real HTTP status and an OpenAI error body.
 */
final class ResponsesAnswerSink implements StreamSink {

  private final HttpServerResponse response;
  private final ResponsesObject object;
  private final OpenAiAnswer answer = new OpenAiAnswer();
  private boolean malformed;

  ResponsesAnswerSink(HttpServerResponse response, ResponsesObject object) {
    this.response = response;
    this.object = object;
  }

  @Override
  public void head(StreamChunk head) {
  }

  @Override
  public void delta(StreamChunk chunk) {
    if (chunk.raw() == null) {
      return;
    }
    try {
      answer.add(new JsonObject(chunk.raw()));
    } catch (DecodeException | ClassCastException e) {
      // The provider checks that each chunk is a JSON object, so this should not happen; if it does,
      // the answer must not be passed off as complete.
      malformed = true;
    }
  }

  @Override
  public void end(StreamChunk end) {
    if (malformed) {
      error(RelayError.of(ErrorType.UPSTREAM_PROTOCOL, "Malformed upstream stream: a chunk is not a JSON object"));
      return;
    }
    JsonObject completion = answer.toJson(end.model(), end.finishReason());
    String finish = completion.getJsonArray("choices").getJsonObject(0).getValue("finish_reason") instanceof String f
      ? f : end.finishReason();
    JsonObject json = object.finished(finish, completion.getString("model"), ResponsesObject.output(completion, finish),
      end.usage(), ResponsesObject.text(completion));
    response.setStatusCode(200).putHeader("Content-Type", "application/json").end(json.encode());
  }

  @Override
  public void error(RelayError error) {
    ErrorResponses.send(response, error, ErrorFormat.OPENAI_RESPONSES);
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
  }
}
