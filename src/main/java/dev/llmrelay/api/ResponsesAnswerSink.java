package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.http.ErrorFormat;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Answers {@code POST /v1/responses} without {@code stream}: one {@code response} object ({@link ResponsesObject}). */
final class ResponsesAnswerSink extends FoldedAnswerSink {

  private final ResponsesObject object;

  ResponsesAnswerSink(HttpServerResponse response, ResponsesObject object) {
    super(response, ErrorFormat.OPENAI_RESPONSES);
    this.object = object;
  }

  @Override
  JsonObject answer(OpenAiAnswer folded, StreamChunk end) {
    JsonObject completion = folded.toJson(end.model(), end.finishReason());
    String finish = completion.getJsonArray("choices").getJsonObject(0).getValue("finish_reason") instanceof String f
      ? f : end.finishReason();
    return object.finished(finish, completion.getString("model"), ResponsesObject.output(completion, finish),
      end.usage(), ResponsesObject.text(completion));
  }
}
