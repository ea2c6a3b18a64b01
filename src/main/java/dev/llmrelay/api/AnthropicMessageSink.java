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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Answers {@code POST /v1/messages} without {@code stream}: the upstream still streams (so a client that
 * leaves cancels the generation), the chunks are folded by {@link OpenAiAnswer} and the result written as
 * one Anthropic {@code message}. Nothing is written before the end, so every failure, even one in the
 * middle of the upstream stream, gets a real HTTP status and an Anthropic error body.
 */
final class AnthropicMessageSink implements StreamSink {

  private final HttpServerResponse response;
  private final String requestedModel;
  private final AnthropicStop stop;
  private final OpenAiAnswer answer = new OpenAiAnswer();
  private boolean malformed;

  AnthropicMessageSink(HttpServerResponse response, String requestedModel, AnthropicStop stop) {
    this.response = response;
    this.requestedModel = requestedModel;
    this.stop = stop;
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
      JsonObject json = new JsonObject(chunk.raw());
      answer.add(json);
      if (json.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice) {
        stop.observe(choice);
      }
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
    String model = end.model() != null ? end.model() : requestedModel;
    JsonObject message;
    try {
      message = AnthropicAnswer.message(answer.toJson(model, end.finishReason()), model, stop, end.finishReason());
    } catch (RelayException e) {
      error(e.error());
      return;
    }
    response.setStatusCode(200).putHeader("Content-Type", "application/json").end(message.encode());
  }

  @Override
  public void error(RelayError error) {
    ErrorResponses.send(response, error, ErrorFormat.ANTHROPIC);
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
  }
}
