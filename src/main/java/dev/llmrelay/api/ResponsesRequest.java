package dev.llmrelay.api;

import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.error.RelayException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An OpenAI Responses request ({@code POST /v1/responses}) checked field by field and translated to the
 * upstream's chat-completions body. As on {@code /v1/messages}, a field has no meaning upstream until it is
 * mapped, so one the relay does not map is a 400 naming it (OpenAI's {@code param}), never silently dropped.
 * The relay keeps no state: {@code previous_response_id} and {@code store: true} are 400s saying so, and
 * the client sends the whole conversation in {@code input} each time.
 *
 * @param body the request as received
 * @param model the model asked for, or the relay's default
 * @param stream whether the client asked for a stream ({@code stream: true})
 */
record ResponsesRequest(JsonObject body, String model, boolean stream) {

  private static final List<String> FIELDS = List.of("model", "input", "instructions", "max_output_tokens",
    "temperature", "top_p", "text", "tools", "tool_choice", "parallel_tool_calls", "stream", "store",
    "previous_response_id", "metadata", "user");
  private static final Set<String> TOOL_FIELDS = Set.of("type", "name", "description", "parameters", "strict");
  private static final Set<String> FORMAT_FIELDS = Set.of("type", "name", "schema", "description", "strict");
  static final String SCHEMA_PARAM = "text.format.schema";

  static ResponsesRequest parse(String text, String defaultModel) {
    if (text == null || text.isBlank()) {
      throw bad(null, "We could not parse the JSON body of your request: it is empty. "
        + "Send a JSON object with model and input.");
    }
    JsonObject body;
    try {
      body = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw bad(null, "We could not parse the JSON body of your request: it is not a JSON object.");
    }
    if (body.getValue("previous_response_id") != null) {
      throw bad("previous_response_id", "this relay does not store responses, so it cannot continue one: "
        + "send the whole conversation in input instead");
    }
    if (Boolean.TRUE.equals(body.getValue("store"))) {
      throw bad("store", "this relay does not store responses: send store: false (or leave it out) "
        + "and keep the conversation on the client");
    }
    for (String key : body.fieldNames()) {
      if (!FIELDS.contains(key)) {
        throw bad(key, "unknown or unsupported parameter (this relay accepts " + String.join(", ", FIELDS) + ")");
      }
    }
    Object model = body.getValue("model");
    if (model != null && (!(model instanceof String m) || m.isBlank())) {
      throw bad("model", "must be a model id string such as openai/gpt-4o");
    }
    if (!body.containsKey("input")) {
      throw bad("input", "required: a string or an array of input items");
    }
    ResponsesInput.check(body.getValue("input"));
    if (body.getValue("instructions") != null && !(body.getValue("instructions") instanceof String)) {
      throw bad("instructions", "must be a string");
    }
    Object max = body.getValue("max_output_tokens");
    if (max != null && (!(max instanceof Integer || max instanceof Long) || ((Number) max).longValue() < 1
      || ((Number) max).longValue() > Integer.MAX_VALUE)) {
      throw bad("max_output_tokens", "must be an integer of at least 1");
    }
    number(body, "temperature", 2);
    number(body, "top_p", 1);
    booleanField(body, "stream");
    booleanField(body, "store");
    booleanField(body, "parallel_tool_calls");
    if (body.getValue("user") != null && !(body.getValue("user") instanceof String)) {
      throw bad("user", "must be a string");
    }
    checkMetadata(body.getValue("metadata"));
    checkText(body.getValue("text"));
    checkTools(body);
    return new ResponsesRequest(body, model instanceof String m ? m : defaultModel,
      Boolean.TRUE.equals(body.getValue("stream")));
  }

  /** The JSON Schema the answer must follow ({@code text.format} of type json_schema), or null. */
  JsonObject responseSchema() {
    JsonObject format = format();
    return format != null && "json_schema".equals(format.getValue("type")) ? format.getJsonObject("schema") : null;
  }

  /**
   * The upstream's chat-completions body. Always streaming (a client that leaves cancels the generation,
   * even a non-streaming one), with {@code stream_options.include_usage}, without which an OpenAI-compatible
   * upstream other than OpenRouter sends no usage.
   */
  JsonObject upstreamBody() {
    JsonObject upstream = new JsonObject()
      .put("model", model)
      .put("messages", ResponsesInput.toChat(body.getValue("input"), body.getValue("instructions")));
    copy("max_output_tokens", "max_tokens", upstream);
    copy("temperature", "temperature", upstream);
    copy("top_p", "top_p", upstream);
    JsonObject format = format();
    if (format != null && !"text".equals(format.getValue("type"))) {
      upstream.put("response_format", "json_object".equals(format.getValue("type"))
        ? new JsonObject().put("type", "json_object")
        : new JsonObject().put("type", "json_schema").put("json_schema", jsonSchema(format)));
    }
    if (body.getValue("tools") instanceof JsonArray tools && !tools.isEmpty()) {
      JsonArray functions = new JsonArray();
      for (Object t : tools) {
        JsonObject tool = (JsonObject) t;
        JsonObject function = new JsonObject().put("name", tool.getString("name"));
        if (tool.getValue("description") instanceof String description) {
          function.put("description", description);
        }
        function.put("parameters", tool.getValue("parameters") instanceof JsonObject p ? p : new JsonObject());
        if (tool.getValue("strict") instanceof Boolean strict) {
          function.put("strict", strict);
        }
        functions.add(new JsonObject().put("type", "function").put("function", function));
      }
      upstream.put("tools", functions);
    }
    Object choice = body.getValue("tool_choice");
    if (choice instanceof String) {
      upstream.put("tool_choice", choice);
    } else if (choice instanceof JsonObject named) {
      upstream.put("tool_choice", new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", named.getString("name"))));
    }
    copy("parallel_tool_calls", "parallel_tool_calls", upstream);
    copy("user", "user", upstream);
    return upstream.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
  }

  /**
   * The request's settings as a response object repeats them, with what the relay applies when one is
   * absent: no instructions, no token cap, {@code text} format, {@code auto} tool choice, parallel tool calls.
   * Sampling parameters the client did not set are null: the upstream's defaults apply, which the relay
   * does not know.
   */
  JsonObject echo() {
    JsonArray tools = new JsonArray();
    if (body.getValue("tools") instanceof JsonArray list) {
      for (Object t : list) {
        JsonObject tool = (JsonObject) t;
        tools.add(new JsonObject().put("type", "function").put("name", tool.getString("name"))
          .put("description", tool.getValue("description"))
          .put("parameters", tool.getValue("parameters") instanceof JsonObject p ? p : new JsonObject())
          .put("strict", tool.getValue("strict")));
      }
    }
    JsonObject format = format();
    return new JsonObject()
      .put("instructions", body.getValue("instructions"))
      .put("max_output_tokens", body.getValue("max_output_tokens"))
      .put("parallel_tool_calls", body.getValue("parallel_tool_calls") instanceof Boolean b ? b : true)
      .put("temperature", body.getValue("temperature"))
      .put("text", new JsonObject().put("format", format != null ? format : new JsonObject().put("type", "text")))
      .put("tool_choice", body.getValue("tool_choice") != null ? body.getValue("tool_choice") : "auto")
      .put("tools", tools)
      .put("top_p", body.getValue("top_p"))
      .put("user", body.getValue("user"))
      .put("metadata", body.getValue("metadata") instanceof JsonObject m ? m : new JsonObject());
  }

  private JsonObject format() {
    return body.getValue("text") instanceof JsonObject text && text.getValue("format") instanceof JsonObject f
      ? f : null;
  }

  /** The Responses API's flat json_schema format as chat completions nest it. */
  private static JsonObject jsonSchema(JsonObject format) {
    JsonObject schema = new JsonObject().put("name", format.getString("name"));
    if (format.getValue("description") instanceof String description) {
      schema.put("description", description);
    }
    schema.put("schema", format.getJsonObject("schema"));
    if (format.getValue("strict") instanceof Boolean strict) {
      schema.put("strict", strict);
    }
    return schema;
  }

  private void copy(String from, String to, JsonObject upstream) {
    if (body.getValue(from) != null) {
      upstream.put(to, body.getValue(from));
    }
  }

  private static void number(JsonObject body, String field, int max) {
    Object value = body.getValue(field);
    if (value != null && (!(value instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < 0
      || n.doubleValue() > max)) {
      throw bad(field, "must be a number from 0 to " + max);
    }
  }

  private static void booleanField(JsonObject body, String field) {
    if (body.getValue(field) != null && !(body.getValue(field) instanceof Boolean)) {
      throw bad(field, "must be a boolean");
    }
  }

  private static void checkMetadata(Object value) {
    if (value == null) {
      return;
    }
    if (!(value instanceof JsonObject metadata) || metadata.size() > 16) {
      throw bad("metadata", "must be an object of at most 16 string values");
    }
    for (Map.Entry<String, Object> e : metadata) {
      if (!(e.getValue() instanceof String s) || e.getKey().length() > 64 || s.length() > 512) {
        throw bad("metadata." + e.getKey(), "must be a string of at most 512 characters, under a key of at most 64");
      }
    }
  }

  private static void checkText(Object value) {
    if (value == null) {
      return;
    }
    if (!(value instanceof JsonObject text)) {
      throw bad("text", "must be an object {format}");
    }
    for (String key : text.fieldNames()) {
      if (!key.equals("format")) {
        throw bad("text." + key, "unknown or unsupported parameter (this relay accepts text.format)");
      }
    }
    Object f = text.getValue("format");
    if (f == null) {
      return;
    }
    if (!(f instanceof JsonObject format) || !(format.getValue("type") instanceof String type)) {
      throw bad("text.format", "must be {type: text}, {type: json_object} or {type: json_schema, name, schema}");
    }
    for (String key : format.fieldNames()) {
      if (!FORMAT_FIELDS.contains(key) || (!type.equals("json_schema") && !key.equals("type"))) {
        throw bad("text.format." + key, "unknown parameter for format type " + type);
      }
    }
    switch (type) {
      case "text", "json_object" -> { }
      case "json_schema" -> {
        if (!(format.getValue("name") instanceof String name) || !name.matches("[A-Za-z0-9_-]{1,64}")) {
          throw bad("text.format.name", "required: 1 to 64 letters, digits, _ or -");
        }
        if (!(format.getValue("schema") instanceof JsonObject)) {
          throw bad(SCHEMA_PARAM, "required: a JSON Schema object");
        }
        if (format.getValue("description") != null && !(format.getValue("description") instanceof String)) {
          throw bad("text.format.description", "must be a string");
        }
        if (format.getValue("strict") != null && !(format.getValue("strict") instanceof Boolean)) {
          throw bad("text.format.strict", "must be a boolean");
        }
      }
      default -> throw bad("text.format.type", "must be text, json_object or json_schema");
    }
  }

  private static void checkTools(JsonObject body) {
    Object value = body.getValue("tools");
    if (value != null) {
      if (!(value instanceof JsonArray tools)) {
        throw bad("tools", "must be an array of function tools {type: function, name, parameters}");
      }
      for (int i = 0; i < tools.size(); i++) {
        String path = "tools[" + i + "]";
        if (!(tools.getValue(i) instanceof JsonObject tool)) {
          throw bad(path, "must be an object {type: function, name, parameters}");
        }
        if (!"function".equals(tool.getValue("type"))) {
          throw bad(path + ".type", "only function tools are supported by this relay, not " + tool.getValue("type"));
        }
        for (String key : tool.fieldNames()) {
          if (!TOOL_FIELDS.contains(key)) {
            throw bad(path + "." + key, "unknown parameter (a function tool has name, description, parameters, strict)");
          }
        }
        if (!(tool.getValue("name") instanceof String name) || !name.matches("[a-zA-Z0-9_-]{1,64}")) {
          throw bad(path + ".name", "required: 1 to 64 letters, digits, _ or -");
        }
        if (tool.getValue("description") != null && !(tool.getValue("description") instanceof String)) {
          throw bad(path + ".description", "must be a string");
        }
        if (tool.getValue("parameters") != null && !(tool.getValue("parameters") instanceof JsonObject)) {
          throw bad(path + ".parameters", "must be a JSON Schema object");
        }
        if (tool.getValue("strict") != null && !(tool.getValue("strict") instanceof Boolean)) {
          throw bad(path + ".strict", "must be a boolean");
        }
      }
    }
    Object choice = body.getValue("tool_choice");
    if (choice == null || choice instanceof String s && Set.of("none", "auto", "required").contains(s)) {
      return;
    }
    if (!(choice instanceof JsonObject named) || !"function".equals(named.getValue("type"))
      || !(named.getValue("name") instanceof String) || named.size() != 2) {
      throw bad("tool_choice", "must be none, auto, required or {type: function, name}");
    }
  }

  static RelayException bad(String param, String problem) {
    RelayError error = param == null
      ? new RelayError(ErrorType.BAD_REQUEST, 400, problem, -1, null)
      : RelayError.badRequest(param, problem);
    return error.exception();
  }
}
