package dev.llmrelay.api;

import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.error.RelayException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An Anthropic Messages request ({@code POST /v1/messages}) checked field by field and translated to the
 * upstream's chat-completions body. Unlike the OpenAI endpoint, nothing passes through untranslated: an
 * Anthropic field has no meaning upstream until it is mapped, so a field the relay does not map (an
 * unknown one, or one such as {@code thinking} or server tools) is a 400 naming it, never silently dropped.
 * Field paths are Anthropic's ({@code messages.0.content.1.text}).
 *
 * @param body the request as received
 * @param stream whether the client asked for a stream ({@code stream: true})
 * @param stopSequences the request's {@code stop_sequences} (empty if none), to name the one that stopped
 */
record AnthropicRequest(JsonObject body, boolean stream, List<String> stopSequences) {

  private static final List<String> FIELDS = List.of("model", "max_tokens", "messages", "system", "temperature",
    "top_p", "top_k", "stop_sequences", "stream", "tools", "tool_choice", "metadata");
  private static final Set<String> TOOL_FIELDS = Set.of("name", "description", "input_schema", "type", "cache_control");
  private static final Set<String> TOOL_CHOICES = Set.of("auto", "any", "tool", "none");

  static AnthropicRequest parse(String text) {
    if (text == null || text.isBlank()) {
      throw bad(null, "The request body is empty: send a JSON object with model, max_tokens and messages.");
    }
    JsonObject body;
    try {
      body = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw bad(null, "The request body is not a JSON object.");
    }
    for (String key : body.fieldNames()) {
      if (!FIELDS.contains(key)) {
        throw bad(key, "unknown or unsupported field (this relay accepts " + String.join(", ", FIELDS) + ")");
      }
    }
    if (!(body.getValue("model") instanceof String model) || model.isBlank()) {
      throw bad("model", body.containsKey("model") ? "must be a model id string" : "Field required");
    }
    Object maxTokens = body.getValue("max_tokens");
    if (maxTokens == null) {
      throw bad("max_tokens", "Field required");
    }
    if (!(maxTokens instanceof Integer || maxTokens instanceof Long) || ((Number) maxTokens).longValue() < 1
      || ((Number) maxTokens).longValue() > Integer.MAX_VALUE) {
      throw bad("max_tokens", "must be an integer of at least 1");
    }
    if (!body.containsKey("messages")) {
      throw bad("messages", "Field required");
    }
    AnthropicMessages.check(body.getValue("messages"), body.getValue("system"));
    number(body, "temperature", 0, 1);
    number(body, "top_p", 0, 1);
    Object topK = body.getValue("top_k");
    if (body.containsKey("top_k") && (!(topK instanceof Integer || topK instanceof Long) || ((Number) topK).longValue() < 0)) {
      throw bad("top_k", "must be an integer of at least 0");
    }
    List<String> stops = stopSequences(body.getValue("stop_sequences"), body.containsKey("stop_sequences"));
    Object stream = body.getValue("stream");
    if (body.containsKey("stream") && !(stream instanceof Boolean)) {
      throw bad("stream", "must be a boolean");
    }
    checkTools(body);
    checkMetadata(body.getValue("metadata"), body.containsKey("metadata"));
    return new AnthropicRequest(body, Boolean.TRUE.equals(stream), stops);
  }

  String model() {
    return body.getString("model");
  }

  /**
   * The upstream's chat-completions body. Always streaming (a client that leaves cancels the generation,
   * even a non-streaming one), with {@code stream_options.include_usage}, without which an OpenAI-compatible
   * upstream other than OpenRouter sends no usage (OpenRouter always does and ignores the flag).
   */
  JsonObject upstreamBody() {
    JsonObject upstream = new JsonObject()
      .put("model", model())
      .put("messages", AnthropicMessages.toChat(body.getValue("messages"), body.getValue("system")))
      .put("max_tokens", body.getValue("max_tokens"));
    copy("temperature", "temperature", upstream);
    copy("top_p", "top_p", upstream);
    copy("top_k", "top_k", upstream);
    if (!stopSequences.isEmpty()) {
      upstream.put("stop", new JsonArray(new ArrayList<>(stopSequences)));
    }
    if (body.getValue("tools") instanceof JsonArray tools && !tools.isEmpty()) {
      JsonArray functions = new JsonArray();
      for (Object t : tools) {
        JsonObject tool = (JsonObject) t;
        JsonObject function = new JsonObject().put("name", tool.getString("name"));
        if (tool.getValue("description") instanceof String description) {
          function.put("description", description);
        }
        function.put("parameters", tool.getJsonObject("input_schema"));
        functions.add(new JsonObject().put("type", "function").put("function", function));
      }
      upstream.put("tools", functions);
    }
    if (body.getValue("tool_choice") instanceof JsonObject choice) {
      String type = choice.getString("type");
      upstream.put("tool_choice", switch (type) {
        case "any" -> "required";
        case "tool" -> new JsonObject().put("type", "function")
          .put("function", new JsonObject().put("name", choice.getString("name")));
        default -> type; // auto, none
      });
      if (Boolean.TRUE.equals(choice.getValue("disable_parallel_tool_use"))) {
        upstream.put("parallel_tool_calls", false);
      }
    }
    if (body.getValue("metadata") instanceof JsonObject metadata && metadata.getValue("user_id") instanceof String user) {
      upstream.put("user", user);
    }
    return upstream.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
  }

  private void copy(String from, String to, JsonObject upstream) {
    if (body.containsKey(from)) {
      upstream.put(to, body.getValue(from));
    }
  }

  private static void number(JsonObject body, String field, double min, double max) {
    if (!body.containsKey(field)) {
      return;
    }
    if (!(body.getValue(field) instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < min
      || n.doubleValue() > max) {
      throw bad(field, "must be a number from " + (int) min + " to " + (int) max);
    }
  }

  private static List<String> stopSequences(Object value, boolean present) {
    if (!present) {
      return List.of();
    }
    if (!(value instanceof JsonArray list)) {
      throw bad("stop_sequences", "must be an array of strings");
    }
    List<String> stops = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof String s) || s.isEmpty()) {
        throw bad("stop_sequences." + i, "must be a non-empty string");
      }
      stops.add(s);
    }
    return List.copyOf(stops);
  }

  private static void checkTools(JsonObject body) {
    if (body.containsKey("tools")) {
      if (!(body.getValue("tools") instanceof JsonArray tools)) {
        throw bad("tools", "must be an array of tools {name, description?, input_schema}");
      }
      for (int i = 0; i < tools.size(); i++) {
        String path = "tools." + i;
        if (!(tools.getValue(i) instanceof JsonObject tool)) {
          throw bad(path, "must be an object {name, description?, input_schema}");
        }
        Object type = tool.getValue("type");
        if (type != null && !"custom".equals(type)) {
          throw bad(path + ".type", "only custom (client) tools are supported by this relay, not " + type);
        }
        for (String key : tool.fieldNames()) {
          if (!TOOL_FIELDS.contains(key)) {
            throw bad(path + "." + key, "unknown field (a tool has name, description, input_schema)");
          }
        }
        if (!(tool.getValue("name") instanceof String name) || !name.matches("[a-zA-Z0-9_-]{1,128}")) {
          throw bad(path + ".name", "required: 1 to 128 letters, digits, _ or -");
        }
        if (tool.containsKey("description") && !(tool.getValue("description") instanceof String)) {
          throw bad(path + ".description", "must be a string");
        }
        if (!(tool.getValue("input_schema") instanceof JsonObject)) {
          throw bad(path + ".input_schema", "required: a JSON Schema object");
        }
      }
    }
    if (!body.containsKey("tool_choice")) {
      return;
    }
    if (!(body.getValue("tool_choice") instanceof JsonObject choice)
      || !(choice.getValue("type") instanceof String type) || !TOOL_CHOICES.contains(type)) {
      throw bad("tool_choice", "must be {type: auto | any | tool | none}");
    }
    for (Map.Entry<String, Object> e : choice) {
      switch (e.getKey()) {
        case "type" -> { }
        case "name" -> {
          if (!"tool".equals(type) || !(e.getValue() instanceof String)) {
            throw bad("tool_choice.name", "a string, only with type tool");
          }
        }
        case "disable_parallel_tool_use" -> {
          if (!(e.getValue() instanceof Boolean) || "none".equals(type)) {
            throw bad("tool_choice.disable_parallel_tool_use", "a boolean, not with type none");
          }
        }
        default -> throw bad("tool_choice." + e.getKey(), "unknown field");
      }
    }
    if ("tool".equals(type) && !(choice.getValue("name") instanceof String)) {
      throw bad("tool_choice.name", "Field required with type tool");
    }
  }

  private static void checkMetadata(Object value, boolean present) {
    if (!present) {
      return;
    }
    if (!(value instanceof JsonObject metadata)) {
      throw bad("metadata", "must be an object {user_id}");
    }
    for (String key : metadata.fieldNames()) {
      if (!key.equals("user_id")) {
        throw bad("metadata." + key, "unknown field (metadata has only user_id)");
      }
    }
    Object user = metadata.getValue("user_id");
    if (user != null && !(user instanceof String)) {
      throw bad("metadata.user_id", "must be a string or null");
    }
  }

  static RelayException bad(String field, String problem) {
    RelayError error = field == null
      ? new RelayError(ErrorType.BAD_REQUEST, 400, problem, -1, null)
      : RelayError.badRequest(field, problem);
    return error.exception();
  }
}
