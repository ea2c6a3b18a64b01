package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.http.ErrorFormat;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Answers {@code POST /v1/messages} without {@code stream}: one Anthropic {@code message}. */
final class AnthropicMessageSink extends FoldedAnswerSink {

  private final String requestedModel;
  private final AnthropicStop stop;

  AnthropicMessageSink(HttpServerResponse response, String requestedModel, AnthropicStop stop) {
    super(response, ErrorFormat.ANTHROPIC);
    this.requestedModel = requestedModel;
    this.stop = stop;
  }

  @Override
  void observe(JsonObject chunk) {
    if (chunk.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
      && choices.getValue(0) instanceof JsonObject choice) {
      stop.observe(choice);
    }
  }

  @Override
  JsonObject answer(OpenAiAnswer folded, StreamChunk end) {
    String model = end.model() != null ? end.model() : requestedModel;
    return AnthropicAnswer.message(folded.toJson(model, end.finishReason()), model, stop, end.finishReason());
  }
}
