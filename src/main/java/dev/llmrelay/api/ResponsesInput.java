package dev.llmrelay.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

import static dev.llmrelay.api.ResponsesRequest.bad;

/**
 * A Responses request's {@code input} (a string, or an array of items) checked and turned into
 * chat-completions messages, after {@code instructions} as a system message. A message item (role and a
 * string or {@code input_text} / {@code input_image} / {@code output_text} / {@code refusal} parts) becomes
 * a message; {@code developer} becomes {@code system}, which every upstream knows. {@code function_call}
 * items join the assistant message before them as its {@code tool_calls} (or make one), and
 * {@code function_call_output} items become {@code tool} messages. Items the relay cannot translate
 * ({@code item_reference}, which needs stored responses; reasoning; hosted tools' calls) are 400s naming them.
 * What an SDK sends back from a response's output ({@code id}, {@code status}, {@code annotations},
 * {@code logprobs}) is accepted and not needed.
 */
final class ResponsesInput {

  private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");
  private static final Set<String> MESSAGE_FIELDS = Set.of("type", "role", "content", "id", "status");
  private static final Set<String> CALL_FIELDS = Set.of("type", "call_id", "name", "arguments", "id", "status");
  private static final Set<String> OUTPUT_FIELDS = Set.of("type", "call_id", "output", "id", "status");

  private ResponsesInput() {
  }

  static void check(Object input) {
    if (input instanceof String) {
      return;
    }
    if (!(input instanceof JsonArray items) || items.isEmpty()) {
      throw bad("input", "must be a string or a non-empty array of input items");
    }
    for (int i = 0; i < items.size(); i++) {
      String path = "input[" + i + "]";
      if (!(items.getValue(i) instanceof JsonObject item)) {
        throw bad(path, "must be an input item object");
      }
      Object type = item.getValue("type");
      if (type == null || "message".equals(type)) {
        checkMessage(path, item);
      } else if ("function_call".equals(type)) {
        fields(path, item, CALL_FIELDS);
        string(path + ".call_id", item.getValue("call_id"));
        string(path + ".name", item.getValue("name"));
        if (!(item.getValue("arguments") instanceof String)) {
          throw bad(path + ".arguments", "required: the call's arguments as a JSON string");
        }
      } else if ("function_call_output".equals(type)) {
        fields(path, item, OUTPUT_FIELDS);
        string(path + ".call_id", item.getValue("call_id"));
        Object output = item.getValue("output");
        if (output instanceof JsonArray parts) {
          for (int p = 0; p < parts.size(); p++) {
            if (!(parts.getValue(p) instanceof JsonObject part) || !"input_text".equals(part.getValue("type"))) {
              throw bad(path + ".output[" + p + "]", "must be an input_text part (this relay passes tool outputs as text)");
            }
          }
          checkParts(path + ".output", parts, "user");
        } else if (!(output instanceof String)) {
          throw bad(path + ".output", "required: a string or an array of input_text parts");
        }
      } else if ("item_reference".equals(type)) {
        throw bad(path + ".type", "this relay does not store responses, so it cannot resolve an item_reference: "
          + "send the item itself");
      } else {
        throw bad(path + ".type", "input item type " + type + " is not supported by this relay "
          + "(message, function_call and function_call_output are)");
      }
    }
  }

  private static void checkMessage(String path, JsonObject item) {
    fields(path, item, MESSAGE_FIELDS);
    if (!(item.getValue("role") instanceof String role) || !ROLES.contains(role)) {
      throw bad(path + ".role", "must be user, assistant, system or developer");
    }
    Object content = item.getValue("content");
    if (content instanceof JsonArray parts) {
      checkParts(path + ".content", parts, role);
    } else if (!(content instanceof String)) {
      throw bad(path + ".content", "required: a string or an array of content parts");
    }
  }

  private static void checkParts(String path, JsonArray parts, String role) {
    for (int i = 0; i < parts.size(); i++) {
      String at = path + "[" + i + "]";
      if (!(parts.getValue(i) instanceof JsonObject part) || !(part.getValue("type") instanceof String type)) {
        throw bad(at, "must be a content part {type, ...}");
      }
      boolean assistant = role.equals("assistant");
      switch (type) {
        case "input_text", "output_text" -> {
          if (type.equals("output_text") != assistant) {
            throw bad(at + ".type", assistant ? "an assistant message holds output_text parts"
              : "output_text parts belong in assistant messages (use input_text)");
          }
          fields(at, part, type.equals("input_text") ? Set.of("type", "text")
            : Set.of("type", "text", "annotations", "logprobs"));
          if (!(part.getValue("text") instanceof String)) {
            throw bad(at + ".text", "required: a string");
          }
        }
        case "refusal" -> {
          if (!assistant) {
            throw bad(at + ".type", "refusal parts belong in assistant messages");
          }
          fields(at, part, Set.of("type", "refusal"));
          string(at + ".refusal", part.getValue("refusal"));
        }
        case "input_image" -> {
          if (assistant) {
            throw bad(at + ".type", "an assistant message cannot hold an image");
          }
          fields(at, part, Set.of("type", "image_url", "detail", "file_id"));
          if (part.getValue("file_id") != null) {
            throw bad(at + ".file_id", "this relay has no file storage: send the image as image_url "
              + "(a URL or a data: URL)");
          }
          string(at + ".image_url", part.getValue("image_url"));
          Object detail = part.getValue("detail");
          if (detail != null && !Set.of("low", "high", "auto").contains(detail)) {
            throw bad(at + ".detail", "must be low, high or auto");
          }
        }
        default -> throw bad(at + ".type", "content part type " + type + " is not supported by this relay "
          + "(input_text, input_image, output_text and refusal are)");
      }
    }
  }

  private static void fields(String path, JsonObject item, Set<String> allowed) {
    for (String key : item.fieldNames()) {
      if (!allowed.contains(key)) {
        throw bad(path + "." + key, "unknown parameter in a " + (item.getValue("type") instanceof String t ? t
          : "message") + " item");
      }
    }
  }

  private static void string(String path, Object value) {
    if (!(value instanceof String s) || s.isEmpty()) {
      throw bad(path, "required: a non-empty string");
    }
  }

  /** The chat-completions messages of a checked input, the instructions first. */
  static JsonArray toChat(Object input, Object instructions) {
    JsonArray chat = new JsonArray();
    if (instructions instanceof String text && !text.isEmpty()) {
      chat.add(new JsonObject().put("role", "system").put("content", text));
    }
    if (input instanceof String text) {
      return chat.add(new JsonObject().put("role", "user").put("content", text));
    }
    for (Object i : (JsonArray) input) {
      JsonObject item = (JsonObject) i;
      String type = item.getValue("type") instanceof String t ? t : "message";
      switch (type) {
        case "function_call" -> toolCall(item, chat);
        case "function_call_output" -> chat.add(new JsonObject().put("role", "tool")
          .put("tool_call_id", item.getString("call_id"))
          .put("content", item.getValue("output") instanceof JsonArray parts ? text(parts) : item.getString("output")));
        default -> {
          String role = item.getString("role");
          Object content = item.getValue("content");
          chat.add(new JsonObject().put("role", role.equals("developer") ? "system" : role)
            .put("content", content instanceof JsonArray parts ? content(parts, role) : content));
        }
      }
    }
    return chat;
  }

  /** A call joins the assistant message just before it (the text of the same turn, or calls made beside it). */
  private static void toolCall(JsonObject item, JsonArray chat) {
    JsonObject call = new JsonObject()
      .put("id", item.getString("call_id"))
      .put("type", "function")
      .put("function", new JsonObject().put("name", item.getString("name")).put("arguments", item.getString("arguments")));
    JsonObject last = chat.isEmpty() ? null : chat.getJsonObject(chat.size() - 1);
    if (last == null || !"assistant".equals(last.getString("role"))) {
      last = new JsonObject().put("role", "assistant").put("content", null);
      chat.add(last);
    } else if ("".equals(last.getValue("content"))) {
      last.putNull("content");
    }
    JsonArray calls = last.getJsonArray("tool_calls");
    if (calls == null) {
      calls = new JsonArray();
      last.put("tool_calls", calls);
    }
    calls.add(call);
  }

  /**
   * An assistant's parts as one string (what every chat upstream takes for an assistant turn); a user's
   * or system's as text and image_url parts.
   */
  private static Object content(JsonArray parts, String role) {
    if (role.equals("assistant")) {
      return text(parts);
    }
    JsonArray chat = new JsonArray();
    for (Object p : parts) {
      JsonObject part = (JsonObject) p;
      if ("input_image".equals(part.getString("type"))) {
        JsonObject url = new JsonObject().put("url", part.getString("image_url"));
        if (part.getValue("detail") instanceof String detail) {
          url.put("detail", detail);
        }
        chat.add(new JsonObject().put("type", "image_url").put("image_url", url));
      } else {
        chat.add(new JsonObject().put("type", "text").put("text", part.getString("text")));
      }
    }
    return chat;
  }

  private static String text(JsonArray parts) {
    StringBuilder text = new StringBuilder();
    for (Object p : parts) {
      JsonObject part = (JsonObject) p;
      text.append(part.getValue("text") instanceof String t ? t : part.getString("refusal"));
    }
    return text.toString();
  }
}
