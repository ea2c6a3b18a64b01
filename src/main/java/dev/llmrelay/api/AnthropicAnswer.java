package dev.llmrelay.api;

import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The pieces of Anthropic's {@code message} object that both the streamed and the whole answer use:
 * the {@code msg_} id, the usage in Anthropic's terms, and the whole message built from a folded
 * chat completion ({@link OpenAiAnswer}).
 */
final class AnthropicAnswer {

  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private AnthropicAnswer() {
  }

  /** An id in Anthropic's form: {@code msg_} and 24 base-62 characters. */
  static String newId(String prefix) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder id = new StringBuilder(prefix.length() + 24).append(prefix);
    for (int i = 0; i < 24; i++) {
      id.append(BASE62.charAt(random.nextInt(BASE62.length())));
    }
    return id.toString();
  }

  /**
   * The upstream's chat-completions usage in Anthropic's terms. Chat completions count cached prompt
   * tokens inside {@code prompt_tokens} ({@code prompt_tokens_details.cached_tokens}, and OpenRouter's
   * {@code cache_write_tokens}); Anthropic counts them apart, {@code input_tokens} being the rest. Cache
   * counts the upstream did not report are null, not 0. No usage at all (an upstream that sends none)
   * counts as zero tokens.
   */
  static JsonObject usage(String usageJson) {
    JsonObject usage;
    try {
      usage = usageJson == null ? new JsonObject() : new JsonObject(usageJson);
    } catch (DecodeException | ClassCastException e) {
      usage = new JsonObject();
    }
    long prompt = count(usage.getValue("prompt_tokens"));
    long output = count(usage.getValue("completion_tokens"));
    Long cacheRead = null;
    Long cacheWrite = null;
    if (usage.getValue("prompt_tokens_details") instanceof JsonObject details) {
      cacheRead = details.getValue("cached_tokens") instanceof Number n ? n.longValue() : null;
      cacheWrite = details.getValue("cache_write_tokens") instanceof Number n ? n.longValue() : null;
    }
    long input = Math.max(0, prompt - (cacheRead == null ? 0 : cacheRead) - (cacheWrite == null ? 0 : cacheWrite));
    return new JsonObject()
      .put("input_tokens", input)
      .put("cache_creation_input_tokens", cacheWrite)
      .put("cache_read_input_tokens", cacheRead)
      .put("output_tokens", output);
  }

  /** The usage of {@code message_start}, before the upstream has reported any. */
  static JsonObject startUsage() {
    return new JsonObject().put("input_tokens", 0).put("cache_creation_input_tokens", null)
      .put("cache_read_input_tokens", null).put("output_tokens", 0);
  }

  /**
   * The whole {@code message} of a non-streaming answer from the folded chat completion: its text as one
   * text block, then one {@code tool_use} block per tool call with the arguments parsed as the input.
   *
   * @throws dev.llmrelay.error.RelayException {@code upstream_protocol} when a tool call's arguments
   *                                           are not a JSON object (the answer cannot be expressed)
   */
  static JsonObject message(JsonObject completion, String model, AnthropicStop stop, String finishReason) {
    JsonObject choice = completion.getJsonArray("choices").getJsonObject(0);
    JsonObject answer = choice.getJsonObject("message");
    JsonArray content = new JsonArray();
    if (answer.getValue("content") instanceof String text && !text.isEmpty()) {
      content.add(new JsonObject().put("type", "text").put("text", text));
    }
    if (answer.getValue("tool_calls") instanceof JsonArray calls) {
      for (Object c : calls) {
        JsonObject function = ((JsonObject) c).getJsonObject("function");
        String id = ((JsonObject) c).getString("id");
        content.add(new JsonObject()
          .put("type", "tool_use")
          .put("id", id != null ? id : newId("toolu_"))
          .put("name", function.getString("name"))
          .put("input", input(function.getString("name"), function.getString("arguments"))));
      }
    }
    String finish = choice.getValue("finish_reason") instanceof String f ? f : finishReason;
    return new JsonObject()
      .put("id", newId("msg_"))
      .put("type", "message")
      .put("role", "assistant")
      .put("model", model)
      .put("content", content)
      .put("stop_reason", stop.reason(finish))
      .put("stop_sequence", stop.sequence(finish))
      .put("usage", usage(completion.getValue("usage") instanceof JsonObject u ? u.encode() : null));
  }

  private static JsonObject input(String tool, String arguments) {
    if (arguments == null || arguments.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(arguments);
    } catch (DecodeException | ClassCastException e) {
      throw RelayError.of(ErrorType.UPSTREAM_PROTOCOL,
        "The model's call of tool " + tool + " has arguments that are not a JSON object").exception();
    }
  }

  private static long count(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
  }
}
