package dev.llmrelay.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Folds a stream of {@code chat.completion.chunk}s into the one {@code chat.completion} object a
 * non-streaming OpenAI call returns: per choice the role, the concatenated content (and refusal and
 * OpenRouter's {@code reasoning}), the tool calls assembled by their {@code index} with their
 * {@code arguments} fragments joined, and the finish reason; plus id, created, model, provider,
 * system fingerprint and usage as the upstream reported them.
 */
final class OpenAiAnswer {

  private final Map<Integer, Choice> choices = new TreeMap<>();
  private String id;
  private Long created;
  private String model;
  private String provider;
  private String systemFingerprint;
  private JsonObject usage;

  /** Adds one upstream chunk. */
  void add(JsonObject chunk) {
    if (id == null && chunk.getValue("id") instanceof String s) {
      id = s;
    }
    if (created == null && chunk.getValue("created") instanceof Number n) {
      created = n.longValue();
    }
    if (chunk.getValue("model") instanceof String s) {
      model = s;
    }
    if (chunk.getValue("provider") instanceof String s) {
      provider = s;
    }
    if (chunk.getValue("system_fingerprint") instanceof String s) {
      systemFingerprint = s;
    }
    if (chunk.getValue("usage") instanceof JsonObject u) {
      usage = u;
    }
    if (chunk.getValue("choices") instanceof JsonArray list) {
      for (Object item : list) {
        if (item instanceof JsonObject choice) {
          int index = choice.getValue("index") instanceof Number n ? n.intValue() : 0;
          choices.computeIfAbsent(index, i -> new Choice()).add(choice);
        }
      }
    }
  }

  /**
   * The whole answer. {@code model} and {@code finishReason} (from the relay's end of stream) stand in
   * when the upstream never named them.
   */
  JsonObject toJson(String fallbackModel, String finishReason) {
    if (choices.isEmpty()) {
      choices.put(0, new Choice());
    }
    JsonArray list = new JsonArray();
    choices.forEach((index, choice) -> list.add(choice.toJson(index, finishReason)));
    JsonObject json = new JsonObject()
      .put("id", id != null ? id : "chatcmpl-" + UUID.randomUUID())
      .put("object", "chat.completion")
      .put("created", created != null ? created : System.currentTimeMillis() / 1000)
      .put("model", model != null ? model : fallbackModel);
    if (provider != null) {
      json.put("provider", provider);
    }
    json.put("system_fingerprint", systemFingerprint).put("choices", list);
    if (usage != null) {
      json.put("usage", usage);
    }
    return json;
  }

  /** One choice being assembled. */
  private static final class Choice {

    private final Map<Integer, ToolCall> toolCalls = new TreeMap<>();
    private String role;
    private StringBuilder content;
    private StringBuilder refusal;
    private StringBuilder reasoning;
    private String finishReason;
    private String nativeFinishReason;

    void add(JsonObject choice) {
      if (choice.getValue("finish_reason") instanceof String s) {
        finishReason = s;
      }
      if (choice.getValue("native_finish_reason") instanceof String s) {
        nativeFinishReason = s;
      }
      if (!(choice.getValue("delta") instanceof JsonObject delta)) {
        return;
      }
      if (delta.getValue("role") instanceof String s) {
        role = s;
      }
      content = append(content, delta.getValue("content"));
      refusal = append(refusal, delta.getValue("refusal"));
      reasoning = append(reasoning, delta.getValue("reasoning"));
      if (delta.getValue("tool_calls") instanceof JsonArray calls) {
        for (int i = 0; i < calls.size(); i++) {
          if (calls.getValue(i) instanceof JsonObject call) {
            int index = call.getValue("index") instanceof Number n ? n.intValue() : i;
            toolCalls.computeIfAbsent(index, k -> new ToolCall()).add(call);
          }
        }
      }
    }

    JsonObject toJson(int index, String fallbackFinishReason) {
      JsonObject message = new JsonObject()
        .put("role", role != null ? role : "assistant")
        .put("content", content != null ? content.toString() : toolCalls.isEmpty() ? "" : null)
        .put("refusal", refusal != null ? refusal.toString() : null);
      if (reasoning != null) {
        message.put("reasoning", reasoning.toString());
      }
      if (!toolCalls.isEmpty()) {
        JsonArray calls = new JsonArray();
        toolCalls.values().forEach(call -> calls.add(call.toJson()));
        message.put("tool_calls", calls);
      }
      JsonObject json = new JsonObject()
        .put("index", index)
        .put("message", message)
        .put("finish_reason", finishReason != null ? finishReason : fallbackFinishReason)
        .put("logprobs", null);
      if (nativeFinishReason != null) {
        json.put("native_finish_reason", nativeFinishReason);
      }
      return json;
    }

    private static StringBuilder append(StringBuilder to, Object piece) {
      if (!(piece instanceof String s)) {
        return to;
      }
      return (to == null ? new StringBuilder() : to).append(s);
    }
  }

  /** One tool call: the id, type and name arrive once, the arguments in fragments. */
  private static final class ToolCall {

    private final StringBuilder arguments = new StringBuilder();
    private String id;
    private String type;
    private String name;

    void add(JsonObject call) {
      if (call.getValue("id") instanceof String s) {
        id = s;
      }
      if (call.getValue("type") instanceof String s) {
        type = s;
      }
      if (call.getValue("function") instanceof JsonObject function) {
        if (name == null && function.getValue("name") instanceof String s) {
          name = s;
        }
        if (function.getValue("arguments") instanceof String s) {
          arguments.append(s);
        }
      }
    }

    JsonObject toJson() {
      return new JsonObject()
        .put("id", id)
        .put("type", type != null ? type : "function")
        .put("function", new JsonObject().put("name", name).put("arguments", arguments.toString()));
    }
  }
}
