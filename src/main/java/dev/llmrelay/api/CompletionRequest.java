package dev.llmrelay.api;

import dev.llmrelay.error.RelayError;
import dev.llmrelay.error.RelayException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;

/**
 * A validated relay request ({@code messages} and {@code options}) and its mapping to OpenRouter's
 * body. Anything unknown or ill-typed is a {@code bad_request} naming the field, so nothing is
 * silently dropped and nothing invalid goes upstream.
 */
public record CompletionRequest(JsonArray messages, JsonObject options) {

  private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
  private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name", "tool_call_id", "tool_calls");
  private static final Set<String> OPTIONS = Set.of("model", "models", "temperature", "maxTokens", "topP", "stop",
    "responseFormat", "resume");
  private static final Set<String> RESPONSE_FORMAT_FIELDS = Set.of("type", "schema", "name", "strict");

  /** From the EventSource GET's query parameters (JSON text each; options may be absent). */
  public static CompletionRequest fromQuery(String messagesJson, String optionsJson) {
    if (messagesJson == null || messagesJson.isBlank()) {
      throw bad("messages", "required (a JSON array of {role, content} objects)");
    }
    Object messages = parse("messages", messagesJson);
    Object options = optionsJson == null || optionsJson.isBlank() ? new JsonObject() : parse("options", optionsJson);
    return of(messages, options);
  }

  /** From a JSON body {@code {messages, options}}. */
  public static CompletionRequest fromBody(String body) {
    if (body == null || body.isBlank()) {
      throw bad("body", "required: a JSON object {messages, options}");
    }
    Object parsed = parse("body", body);
    if (!(parsed instanceof JsonObject json)) {
      throw bad("body", "must be a JSON object {messages, options}");
    }
    for (String key : json.fieldNames()) {
      if (!key.equals("messages") && !key.equals("options")) {
        throw bad(key, "unknown field (the body holds only messages and options)");
      }
    }
    if (!json.containsKey("messages")) {
      throw bad("messages", "required (a JSON array of {role, content} objects)");
    }
    Object options = json.getValue("options");
    return of(json.getValue("messages"), options == null ? new JsonObject() : options);
  }

  private static CompletionRequest of(Object messages, Object options) {
    if (!(messages instanceof JsonArray array)) {
      throw bad("messages", "must be a JSON array of {role, content} objects");
    }
    if (array.isEmpty()) {
      throw bad("messages", "must not be empty");
    }
    for (int i = 0; i < array.size(); i++) {
      validateMessage("messages[" + i + "]", array.getValue(i));
    }
    if (!(options instanceof JsonObject opts)) {
      throw bad("options", "must be a JSON object");
    }
    validateOptions(opts);
    return new CompletionRequest(array, opts);
  }

  /** Whether the client asked for a resumable stream ({@code options.resume}). */
  public boolean resumable() {
    return Boolean.TRUE.equals(options.getBoolean("resume"));
  }

  /** The model asked for, or the default. */
  public String model(String defaultModel) {
    return options.getString("model", defaultModel);
  }

  /** The JSON Schema the answer must follow ({@code responseFormat} of type json_schema), or null. */
  public JsonObject responseSchema() {
    JsonObject format = options.getJsonObject("responseFormat");
    return format != null && "json_schema".equals(format.getString("type")) ? format.getJsonObject("schema") : null;
  }

  /** OpenRouter's chat-completions body for this request, always streaming. */
  public JsonObject upstreamBody(String defaultModel) {
    JsonObject body = new JsonObject().put("model", model(defaultModel));
    if (options.containsKey("models")) {
      body.put("models", options.getJsonArray("models"));
    }
    body.put("messages", messages).put("stream", true);
    copy("temperature", "temperature", body);
    copy("maxTokens", "max_tokens", body);
    copy("topP", "top_p", body);
    copy("stop", "stop", body);
    JsonObject format = options.getJsonObject("responseFormat");
    if (format != null) {
      if ("json_object".equals(format.getString("type"))) {
        body.put("response_format", new JsonObject().put("type", "json_object"));
      } else {
        body.put("response_format", new JsonObject()
          .put("type", "json_schema")
          .put("json_schema", new JsonObject()
            .put("name", format.getString("name", "response"))
            .put("strict", format.getBoolean("strict", false))
            .put("schema", format.getJsonObject("schema"))));
      }
    }
    return body;
  }

  private void copy(String from, String to, JsonObject body) {
    if (options.containsKey(from)) {
      body.put(to, options.getValue(from));
    }
  }

  private static void validateMessage(String path, Object value) {
    if (!(value instanceof JsonObject message)) {
      throw bad(path, "must be an object {role, content}");
    }
    for (String key : message.fieldNames()) {
      if (!MESSAGE_FIELDS.contains(key)) {
        throw bad(path + "." + key, "unknown field (allowed: role, content, name, tool_call_id, tool_calls)");
      }
    }
    Object role = message.getValue("role");
    if (!(role instanceof String r) || !ROLES.contains(r)) {
      throw bad(path + ".role", "must be one of system, user, assistant, tool");
    }
    Object content = message.getValue("content");
    boolean toolCalls = message.getValue("tool_calls") instanceof JsonArray;
    if (content == null && !(r.equals("assistant") && toolCalls)) {
      throw bad(path + ".content", "required: a string or an array of content parts");
    }
    if (content instanceof JsonArray parts) {
      if (parts.isEmpty()) {
        throw bad(path + ".content", "must not be an empty array");
      }
      for (int i = 0; i < parts.size(); i++) {
        validatePart(path + ".content[" + i + "]", parts.getValue(i));
      }
    } else if (content != null && !(content instanceof String)) {
      throw bad(path + ".content", "must be a string or an array of content parts");
    }
    if (message.containsKey("name") && !(message.getValue("name") instanceof String)) {
      throw bad(path + ".name", "must be a string");
    }
    if (r.equals("tool") && !(message.getValue("tool_call_id") instanceof String)) {
      throw bad(path + ".tool_call_id", "required for a tool message: a string");
    }
    if (message.containsKey("tool_calls") && !toolCalls) {
      throw bad(path + ".tool_calls", "must be an array");
    }
  }

  private static void validatePart(String path, Object value) {
    if (!(value instanceof JsonObject part)) {
      throw bad(path, "must be an object {type, ...}");
    }
    Object type = part.getValue("type");
    if ("text".equals(type)) {
      if (!(part.getValue("text") instanceof String)) {
        throw bad(path + ".text", "required: a string");
      }
    } else if ("image_url".equals(type)) {
      Object url = part.getValue("image_url");
      if (!(url instanceof JsonObject || url instanceof String)) {
        throw bad(path + ".image_url", "required: {url} or a string");
      }
    } else {
      throw bad(path + ".type", "must be text or image_url");
    }
  }

  private static void validateOptions(JsonObject options) {
    for (Map.Entry<String, Object> e : options) {
      String key = e.getKey();
      Object v = e.getValue();
      String path = "options." + key;
      switch (key) {
        case "model" -> requireModelId(path, v);
        case "models" -> {
          if (!(v instanceof JsonArray list) || list.isEmpty()) {
            throw bad(path, "must be a non-empty array of model ids");
          }
          for (int i = 0; i < list.size(); i++) {
            requireModelId(path + "[" + i + "]", list.getValue(i));
          }
        }
        case "temperature" -> requireNumber(path, v, 0, 2);
        case "topP" -> requireNumber(path, v, 0, 1);
        case "maxTokens" -> {
          if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 1
            || ((Number) v).longValue() > Integer.MAX_VALUE) {
            throw bad(path, "must be an integer of at least 1");
          }
        }
        case "stop" -> {
          if (v instanceof JsonArray list) {
            if (list.isEmpty() || list.size() > 4) {
              throw bad(path, "must be a string or an array of 1 to 4 strings");
            }
            for (Object s : list) {
              if (!(s instanceof String)) {
                throw bad(path, "must be a string or an array of 1 to 4 strings");
              }
            }
          } else if (!(v instanceof String)) {
            throw bad(path, "must be a string or an array of 1 to 4 strings");
          }
        }
        case "responseFormat" -> validateResponseFormat(path, v);
        case "resume" -> {
          if (!(v instanceof Boolean)) {
            throw bad(path, "must be true or false");
          }
        }
        default -> throw bad(path, "unknown option (allowed: " + String.join(", ", OPTIONS.stream().sorted().toList()) + ")");
      }
    }
  }

  private static void validateResponseFormat(String path, Object v) {
    if (!(v instanceof JsonObject format)) {
      throw bad(path, "must be an object {type: \"json_schema\", schema, name?, strict?} or {type: \"json_object\"}");
    }
    for (String key : format.fieldNames()) {
      if (!RESPONSE_FORMAT_FIELDS.contains(key)) {
        throw bad(path + "." + key, "unknown field (allowed: type, schema, name, strict)");
      }
    }
    Object type = format.getValue("type");
    if ("json_object".equals(type)) {
      if (format.size() != 1) {
        throw bad(path, "{type: \"json_object\"} takes no other fields");
      }
      return;
    }
    if (!"json_schema".equals(type)) {
      throw bad(path + ".type", "must be json_schema or json_object");
    }
    if (!(format.getValue("schema") instanceof JsonObject)) {
      throw bad(path + ".schema", "required for json_schema: a JSON Schema object");
    }
    Object name = format.getValue("name");
    if (name != null && (!(name instanceof String s) || !s.matches("[A-Za-z0-9_-]{1,64}"))) {
      throw bad(path + ".name", "must be 1 to 64 letters, digits, _ or -");
    }
    if (format.containsKey("strict") && !(format.getValue("strict") instanceof Boolean)) {
      throw bad(path + ".strict", "must be a boolean");
    }
  }

  private static void requireModelId(String path, Object v) {
    if (!(v instanceof String s) || s.isBlank() || s.length() > 200 || s.chars().anyMatch(Character::isWhitespace)) {
      throw bad(path, "must be a model id such as openai/gpt-4o");
    }
  }

  private static void requireNumber(String path, Object v, double min, double max) {
    if (!(v instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < min || n.doubleValue() > max) {
      throw bad(path, "must be a number from " + fmt(min) + " to " + fmt(max));
    }
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static Object parse(String field, String json) {
    try {
      String trimmed = stripJsonWhitespace(json);
      if (trimmed.startsWith("[")) {
        return new JsonArray(trimmed);
      }
      if (trimmed.startsWith("{")) {
        return new JsonObject(trimmed);
      }
      throw bad(field, "must be JSON (an array or an object)");
    } catch (DecodeException e) {
      throw bad(field, "not valid JSON");
    }
  }

  /** Like {@link String#trim()}, but JSON whitespace only: trim() would also drop a trailing NUL or other control. */
  private static String stripJsonWhitespace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isJsonWhitespace(s.charAt(start))) {
      start++;
    }
    while (end > start && isJsonWhitespace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean isJsonWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  private static RelayException bad(String field, String problem) {
    return RelayError.badRequest(field, problem).exception();
  }
}
