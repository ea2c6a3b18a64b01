package dev.llmrelay.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

import static dev.llmrelay.api.AnthropicRequest.bad;

/**
 * Anthropic's conversation ({@code system} and {@code messages} with string or block content; a
 * {@code system} message among them, as the current SDKs can send, stays one in place) checked and
 * turned into chat-completions messages. Text and image blocks become content parts ({@code cache_control}
 * kept, which OpenRouter forwards to providers that cache); an assistant's {@code tool_use} blocks become
 * its {@code tool_calls} (the input encoded as the arguments string); a user's {@code tool_result} blocks
 * become {@code tool} messages, placed before the rest of that user turn as chat completions require.
 */
final class AnthropicMessages {

  private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content");
  private static final Set<String> TEXT_FIELDS = Set.of("type", "text", "cache_control", "citations");
  private static final Set<String> IMAGE_FIELDS = Set.of("type", "source", "cache_control");
  private static final Set<String> TOOL_USE_FIELDS = Set.of("type", "id", "name", "input", "cache_control");
  private static final Set<String> TOOL_RESULT_FIELDS = Set.of("type", "tool_use_id", "content", "is_error",
    "cache_control");

  private AnthropicMessages() {
  }

  static void check(Object messages, Object system) {
    if (!(messages instanceof JsonArray list) || list.isEmpty()) {
      throw bad("messages", "must be a non-empty array of {role, content} objects");
    }
    for (int i = 0; i < list.size(); i++) {
      String path = "messages." + i;
      if (!(list.getValue(i) instanceof JsonObject message)) {
        throw bad(path, "must be an object {role, content}");
      }
      for (String key : message.fieldNames()) {
        if (!MESSAGE_FIELDS.contains(key)) {
          throw bad(path + "." + key, "unknown field (a message has role and content)");
        }
      }
      Object role = message.getValue("role");
      if (!"user".equals(role) && !"assistant".equals(role) && !"system".equals(role)) {
        throw bad(path + ".role", "must be user, assistant or system");
      }
      Object content = message.getValue("content");
      if (content instanceof JsonArray blocks) {
        for (int b = 0; b < blocks.size(); b++) {
          if ("system".equals(role) && !(blocks.getValue(b) instanceof JsonObject block
            && "text".equals(block.getValue("type")))) {
            throw bad(path + ".content." + b, "a system message holds text blocks only");
          }
          checkBlock(path + ".content." + b, blocks.getValue(b), (String) role);
        }
      } else if (!(content instanceof String)) {
        throw bad(path + ".content", "required: a string or an array of content blocks");
      }
    }
    if (system instanceof JsonArray blocks) {
      for (int b = 0; b < blocks.size(); b++) {
        if (!(blocks.getValue(b) instanceof JsonObject block) || !"text".equals(block.getValue("type"))) {
          throw bad("system." + b, "must be a text block {type: text, text}");
        }
        checkBlock("system." + b, block, "system");
      }
    } else if (system != null && !(system instanceof String)) {
      throw bad("system", "must be a string or an array of text blocks");
    }
  }

  private static void checkBlock(String path, Object value, String role) {
    if (!(value instanceof JsonObject block) || !(block.getValue("type") instanceof String type)) {
      throw bad(path, "must be a content block {type, ...}");
    }
    switch (type) {
      case "text" -> {
        fields(path, block, TEXT_FIELDS);
        if (!(block.getValue("text") instanceof String)) {
          throw bad(path + ".text", "required: a string");
        }
      }
      case "image" -> {
        fields(path, block, IMAGE_FIELDS);
        if (role.equals("assistant")) {
          throw bad(path, "an assistant message cannot hold an image");
        }
        checkImageSource(path + ".source", block.getValue("source"));
      }
      case "tool_use" -> {
        fields(path, block, TOOL_USE_FIELDS);
        if (!role.equals("assistant")) {
          throw bad(path, "tool_use blocks belong in assistant messages");
        }
        if (!(block.getValue("id") instanceof String id) || id.isEmpty()) {
          throw bad(path + ".id", "required: a string");
        }
        if (!(block.getValue("name") instanceof String name) || name.isEmpty()) {
          throw bad(path + ".name", "required: a string");
        }
        if (!(block.getValue("input") instanceof JsonObject)) {
          throw bad(path + ".input", "required: an object");
        }
      }
      case "tool_result" -> {
        fields(path, block, TOOL_RESULT_FIELDS);
        if (!role.equals("user")) {
          throw bad(path, "tool_result blocks belong in user messages");
        }
        if (!(block.getValue("tool_use_id") instanceof String id) || id.isEmpty()) {
          throw bad(path + ".tool_use_id", "required: a string");
        }
        if (block.containsKey("is_error") && !(block.getValue("is_error") instanceof Boolean)) {
          throw bad(path + ".is_error", "must be a boolean");
        }
        Object content = block.getValue("content");
        if (content instanceof JsonArray parts) {
          for (int i = 0; i < parts.size(); i++) {
            if (!(parts.getValue(i) instanceof JsonObject part) || !"text".equals(part.getValue("type"))) {
              throw bad(path + ".content." + i, "must be a text block (this relay passes tool results as text)");
            }
            checkBlock(path + ".content." + i, part, role);
          }
        } else if (content != null && !(content instanceof String)) {
          throw bad(path + ".content", "must be a string or an array of text blocks");
        }
      }
      default -> throw bad(path + ".type", "content block type " + type + " is not supported by this relay "
        + "(text, image, tool_use and tool_result are)");
    }
    if (block.containsKey("cache_control") && !(block.getValue("cache_control") instanceof JsonObject)) {
      throw bad(path + ".cache_control", "must be an object such as {type: ephemeral}");
    }
  }

  private static void checkImageSource(String path, Object value) {
    if (!(value instanceof JsonObject source)) {
      throw bad(path, "required: {type: base64, media_type, data} or {type: url, url}");
    }
    Object type = source.getValue("type");
    boolean base64 = "base64".equals(type) && source.getValue("media_type") instanceof String
      && source.getValue("data") instanceof String && source.size() == 3;
    boolean url = "url".equals(type) && source.getValue("url") instanceof String && source.size() == 2;
    if (!base64 && !url) {
      throw bad(path, "must be {type: base64, media_type, data} or {type: url, url}");
    }
  }

  private static void fields(String path, JsonObject block, Set<String> allowed) {
    for (String key : block.fieldNames()) {
      if (!allowed.contains(key)) {
        throw bad(path + "." + key, "unknown field in a " + block.getValue("type") + " block");
      }
    }
  }

  /** The chat-completions messages of a checked conversation, the system prompt first. */
  static JsonArray toChat(Object messages, Object system) {
    JsonArray chat = new JsonArray();
    if (system instanceof String text && !text.isEmpty()) {
      chat.add(new JsonObject().put("role", "system").put("content", text));
    } else if (system instanceof JsonArray blocks && !blocks.isEmpty()) {
      chat.add(new JsonObject().put("role", "system").put("content", parts(blocks)));
    }
    for (Object m : (JsonArray) messages) {
      JsonObject message = (JsonObject) m;
      String role = message.getString("role");
      Object content = message.getValue("content");
      if (content instanceof String text) {
        chat.add(new JsonObject().put("role", role).put("content", text));
      } else if (role.equals("system")) {
        chat.add(new JsonObject().put("role", role).put("content", parts((JsonArray) content)));
      } else if (role.equals("assistant")) {
        chat.add(assistant((JsonArray) content));
      } else {
        user((JsonArray) content, chat);
      }
    }
    return chat;
  }

  /** Text blocks joined into the content, tool_use blocks into {@code tool_calls}. */
  private static JsonObject assistant(JsonArray blocks) {
    StringBuilder text = null;
    JsonArray calls = new JsonArray();
    for (Object b : blocks) {
      JsonObject block = (JsonObject) b;
      if ("tool_use".equals(block.getString("type"))) {
        calls.add(new JsonObject()
          .put("id", block.getString("id"))
          .put("type", "function")
          .put("function", new JsonObject()
            .put("name", block.getString("name"))
            .put("arguments", block.getJsonObject("input").encode())));
      } else {
        text = (text == null ? new StringBuilder() : text).append(block.getString("text"));
      }
    }
    JsonObject message = new JsonObject().put("role", "assistant")
      .put("content", text != null ? text.toString() : calls.isEmpty() ? "" : null);
    if (!calls.isEmpty()) {
      message.put("tool_calls", calls);
    }
    return message;
  }

  /** Tool results as {@code tool} messages, then the rest of the turn as one user message (if any). */
  private static void user(JsonArray blocks, JsonArray chat) {
    JsonArray rest = new JsonArray();
    for (Object b : blocks) {
      JsonObject block = (JsonObject) b;
      if ("tool_result".equals(block.getString("type"))) {
        Object content = block.getValue("content");
        chat.add(new JsonObject()
          .put("role", "tool")
          .put("tool_call_id", block.getString("tool_use_id"))
          .put("content", content instanceof JsonArray parts ? parts(parts) : content == null ? "" : content));
      } else {
        rest.add(block);
      }
    }
    if (!rest.isEmpty()) {
      chat.add(new JsonObject().put("role", "user").put("content", parts(rest)));
    }
  }

  /** Text and image blocks as chat-completions content parts. */
  private static JsonArray parts(JsonArray blocks) {
    JsonArray parts = new JsonArray();
    for (Object b : blocks) {
      JsonObject block = (JsonObject) b;
      JsonObject part;
      if ("image".equals(block.getString("type"))) {
        JsonObject source = block.getJsonObject("source");
        String url = "url".equals(source.getString("type")) ? source.getString("url")
          : "data:" + source.getString("media_type") + ";base64," + source.getString("data");
        part = new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", url));
      } else {
        part = new JsonObject().put("type", "text").put("text", block.getString("text"));
      }
      if (block.getValue("cache_control") instanceof JsonObject cache) {
        part.put("cache_control", cache);
      }
      parts.add(part);
    }
    return parts;
  }
}
