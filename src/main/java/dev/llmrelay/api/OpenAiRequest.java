package dev.llmrelay.api;

import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.error.RelayException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An OpenAI chat-completions request body, checked only where the relay depends on it: a JSON object
 * whose {@code messages} is a non-empty array of objects with a string {@code role}, a string
 * {@code model} if given, a boolean {@code stream} if given. Every other field (tools, tool_choice,
 * response_format, seed, provider routing, plugins, reasoning, user, ...) goes upstream untouched, so
 * OpenRouter judges what it supports and new fields work without a relay release.
 *
 * @param body the request as received
 * @param stream whether the client asked for a stream ({@code stream: true})
 */
record OpenAiRequest(JsonObject body, boolean stream) {

  static OpenAiRequest parse(String text) {
    if (text == null || text.isBlank()) {
      throw bad(null, "We could not parse the JSON body of your request: it is empty. "
        + "Send a JSON object with model and messages.");
    }
    JsonObject body;
    try {
      body = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw bad(null, "We could not parse the JSON body of your request: it is not a JSON object.");
    }
    Object messages = body.getValue("messages");
    if (messages == null) {
      throw bad("messages", "you must provide a messages parameter");
    }
    if (!(messages instanceof JsonArray list) || list.isEmpty()) {
      throw bad("messages", "must be a non-empty array of message objects");
    }
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject message)) {
        throw bad("messages[" + i + "]", "must be an object {role, content}");
      }
      if (!(message.getValue("role") instanceof String role) || role.isBlank()) {
        throw bad("messages[" + i + "].role", "required: a string such as user, assistant or system");
      }
    }
    Object model = body.getValue("model");
    if (model != null && (!(model instanceof String m) || m.isBlank())) {
      throw bad("model", "must be a model id string such as openai/gpt-4o");
    }
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw bad("stream", "must be a boolean");
    }
    return new OpenAiRequest(body, Boolean.TRUE.equals(stream));
  }

  /** The model asked for, or the relay's default. */
  String model(String defaultModel) {
    return body.getValue("model") instanceof String model ? model : defaultModel;
  }

  /**
   * The upstream body: the request as received with {@code stream: true} (the relay always streams
   * from the upstream, so a client that leaves cancels the generation even for a non-streaming call)
   * and the default model when none was named.
   */
  JsonObject upstreamBody(String defaultModel) {
    JsonObject upstream = body.copy();
    if (upstream.getValue("model") == null) {
      upstream.put("model", defaultModel);
    }
    return upstream.put("stream", true);
  }

  private static RelayException bad(String param, String problem) {
    RelayError error = param == null
      ? new RelayError(ErrorType.BAD_REQUEST, 400, problem, -1, null)
      : RelayError.badRequest(param, problem);
    return error.exception();
  }
}
