package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.http.ErrorFormat;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Answers {@code POST /v1/chat/completions} without {@code stream}: one {@code chat.completion} object. */
final class OpenAiCompletionSink extends FoldedAnswerSink {

  private final String requestedModel;

  OpenAiCompletionSink(HttpServerResponse response, String requestedModel) {
    super(response, ErrorFormat.OPENAI);
    this.requestedModel = requestedModel;
  }

  @Override
  JsonObject answer(OpenAiAnswer folded, StreamChunk end) {
    JsonObject json = folded.toJson(end.model() != null ? end.model() : requestedModel, end.finishReason());
    Number cost = EventSourceSink.cost(end.usage());
    if (cost != null && json.getValue("usage") instanceof JsonObject usage && usage.getValue("cost") == null) {
      usage.put("cost", cost);
    }
    return json;
  }
}
