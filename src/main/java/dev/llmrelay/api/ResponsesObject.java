package dev.llmrelay.api;

import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.OpenAiErrors;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The Responses API's {@code response} object and its output items, as both the streamed and the whole
 * answer write them: one per request ({@code resp_} id and creation time fixed at the start), its
 * settings repeated from the request, and its status, output, usage and error as the answer ends. The
 * status follows the upstream's finish reason: {@code length} is {@code incomplete} with reason
 * {@code max_output_tokens}, {@code content_filter} is {@code incomplete} with reason
 * {@code content_filter}, anything else is {@code completed}. With a json_schema format the answer's check
 * against the schema is added as {@code validation: {valid, errors}}, as the relay's other APIs report it.
 */
final class ResponsesObject {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final String id = newId("resp_");
  private final long createdAt = System.currentTimeMillis() / 1000;
  private final JsonObject settings;
  private final String requestedModel;
  private final AnswerSchema schema;

  /** @param schema the answer's JSON Schema (text.format json_schema), or null */
  ResponsesObject(ResponsesRequest request, AnswerSchema schema) {
    this.settings = request.echo();
    this.requestedModel = request.model();
    this.schema = schema;
  }

  /** An id as OpenAI writes them: the prefix ({@code resp_}, {@code msg_}, {@code fc_}) and 48 hex digits. */
  static String newId(String prefix) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder id = new StringBuilder(prefix.length() + 48).append(prefix);
    for (int i = 0; i < 48; i++) {
      id.append(HEX[random.nextInt(16)]);
    }
    return id.toString();
  }

  /** The response while it is being generated: no output yet. */
  JsonObject inProgress() {
    return build("in_progress", null, requestedModel, new JsonArray(), null, null);
  }

  /**
   * The finished response.
   *
   * @param text the answer's text, for the schema check
   */
  JsonObject finished(String finishReason, String model, JsonArray output, String usageJson, String text) {
    JsonObject incomplete = incompleteDetails(finishReason);
    JsonObject json = build(incomplete == null ? "completed" : "incomplete", incomplete,
      model != null ? model : requestedModel, output, usage(usageJson), null);
    if (schema != null) {
      json.put("validation", schema.check(text));
    }
    return json;
  }

  /** The response of a stream that failed after it had started, with what was output so far. */
  JsonObject failed(RelayError error, String model, JsonArray output) {
    return build("failed", null, model != null ? model : requestedModel, output, null, OpenAiErrors.responseError(error));
  }

  /** {@code incomplete} or {@code completed}: the status of output items as the answer ends. */
  static String itemStatus(String finishReason) {
    return incompleteDetails(finishReason) == null ? "completed" : "incomplete";
  }

  static JsonObject message(String id, String status, JsonArray content) {
    return new JsonObject().put("id", id).put("type", "message").put("status", status).put("role", "assistant")
      .put("content", content);
  }

  static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("annotations", new JsonArray())
      .put("logprobs", new JsonArray()).put("text", text);
  }

  static JsonObject functionCall(String id, String status, String callId, String name, String arguments) {
    return new JsonObject().put("id", id).put("type", "function_call").put("status", status)
      .put("arguments", arguments).put("call_id", callId).put("name", name);
  }

  /**
   * The output items of a folded chat completion ({@link OpenAiAnswer}): its text (and refusal) as one
   * message, then one {@code function_call} per tool call. An answer with neither is an empty message.
   */
  static JsonArray output(JsonObject completion, String finishReason) {
    JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
    JsonObject answer = choice.getJsonObject("message");
    String status = itemStatus(finishReason);
    JsonArray output = new JsonArray();
    JsonArray content = new JsonArray();
    if (answer.getValue("content") instanceof String text && !text.isEmpty()) {
      content.add(outputText(text));
    }
    if (answer.getValue("refusal") instanceof String refusal && !refusal.isEmpty()) {
      content.add(new JsonObject().put("type", "refusal").put("refusal", refusal));
    }
    JsonArray calls = answer.getValue("tool_calls") instanceof JsonArray c ? c : new JsonArray();
    if (!content.isEmpty() || calls.isEmpty()) {
      output.add(message(newId("msg_"), status, content.isEmpty() ? new JsonArray().add(outputText("")) : content));
    }
    for (Object c : calls) {
      JsonObject call = (JsonObject) c;
      JsonObject function = call.getJsonObject("function");
      String callId = call.getValue("id") instanceof String s ? s : AnthropicAnswer.newId("call_");
      output.add(functionCall(newId("fc_"), status, callId, function.getString("name"),
        function.getString("arguments")));
    }
    return output;
  }

  /** The text of a folded chat completion, for the schema check. */
  static String text(JsonObject completion) {
    Object content = completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getValue("content");
    return content instanceof String s ? s : "";
  }

  private JsonObject build(String status, JsonObject incomplete, String model, JsonArray output, JsonObject usage,
                           JsonObject error) {
    return new JsonObject()
      .put("id", id)
      .put("object", "response")
      .put("created_at", createdAt)
      .put("status", status)
      .put("error", error)
      .put("incomplete_details", incomplete)
      .put("instructions", settings.getValue("instructions"))
      .put("max_output_tokens", settings.getValue("max_output_tokens"))
      .put("model", model)
      .put("output", output)
      .put("parallel_tool_calls", settings.getValue("parallel_tool_calls"))
      .put("previous_response_id", null)
      .put("reasoning", new JsonObject().put("effort", null).put("summary", null))
      .put("store", false)
      .put("temperature", settings.getValue("temperature"))
      .put("text", settings.getValue("text"))
      .put("tool_choice", settings.getValue("tool_choice"))
      .put("tools", settings.getValue("tools"))
      .put("top_p", settings.getValue("top_p"))
      .put("truncation", "disabled")
      .put("usage", usage)
      .put("user", settings.getValue("user"))
      .put("metadata", settings.getValue("metadata"));
  }

  private static JsonObject incompleteDetails(String finishReason) {
    if ("length".equals(finishReason)) {
      return new JsonObject().put("reason", "max_output_tokens");
    }
    if ("content_filter".equals(finishReason)) {
      return new JsonObject().put("reason", "content_filter");
    }
    return null;
  }

  /**
   * The upstream's chat-completions usage in the Responses API's terms: prompt tokens are input tokens
   * (cached ones included, as both count them), completion tokens output tokens. No usage at all (an
   * upstream that sends none) counts as zero tokens.
   */
  static JsonObject usage(String usageJson) {
    JsonObject usage;
    try {
      usage = usageJson == null ? new JsonObject() : new JsonObject(usageJson);
    } catch (DecodeException | ClassCastException e) {
      usage = new JsonObject();
    }
    long input = count(usage.getValue("prompt_tokens"));
    long output = count(usage.getValue("completion_tokens"));
    long cached = usage.getValue("prompt_tokens_details") instanceof JsonObject d ? count(d.getValue("cached_tokens")) : 0;
    long reasoning = usage.getValue("completion_tokens_details") instanceof JsonObject d
      ? count(d.getValue("reasoning_tokens")) : 0;
    return new JsonObject()
      .put("input_tokens", input)
      .put("input_tokens_details", new JsonObject().put("cached_tokens", cached))
      .put("output_tokens", output)
      .put("output_tokens_details", new JsonObject().put("reasoning_tokens", reasoning))
      .put("total_tokens", usage.getValue("total_tokens") instanceof Number n ? n.longValue() : input + output);
  }

  private static long count(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
  }
}
