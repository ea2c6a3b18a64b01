package dev.llmrelay.api;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Why an answer stopped, in Anthropic's words, from the upstream's chat-completions finish reason:
 * {@code stop} → {@code end_turn}, {@code length} → {@code max_tokens}, {@code tool_calls} →
 * {@code tool_use}, {@code content_filter} → {@code refusal}. A {@code stop} is a {@code stop_sequence}
 * only where the upstream says so, since chat completions report both as {@code stop}: OpenRouter's
 * {@code native_finish_reason: "stop_sequence"} (Anthropic models), or a {@code stop_reason} naming one of
 * the request's sequences (vLLM, SGLang). The sequence is the one named, else the request's only one,
 * else unknown (null).
 */
final class AnthropicStop {

  private final List<String> stopSequences;
  private boolean sequenceHit;
  private String sequence;

  AnthropicStop(List<String> stopSequences) {
    this.stopSequences = stopSequences;
  }

  /** Reads what one upstream choice (index 0) says about a stop sequence. */
  void observe(JsonObject choice) {
    if (stopSequences.isEmpty()) {
      return;
    }
    if (choice.getValue("stop_reason") instanceof String named && stopSequences.contains(named)) {
      sequenceHit = true;
      sequence = named;
    } else if ("stop_sequence".equals(choice.getValue("native_finish_reason"))) {
      sequenceHit = true;
      if (sequence == null && stopSequences.size() == 1) {
        sequence = stopSequences.get(0);
      }
    }
  }

  /** Anthropic's {@code stop_reason} for the upstream's final finish reason. */
  String reason(String finishReason) {
    if (finishReason == null) {
      return "end_turn";
    }
    return switch (finishReason) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      case "content_filter" -> "refusal";
      default -> sequenceHit ? "stop_sequence" : "end_turn";
    };
  }

  /** The {@code stop_sequence} that matched, when the reason is {@code stop_sequence}; else null. */
  String sequence(String finishReason) {
    return "stop_sequence".equals(reason(finishReason)) ? sequence : null;
  }
}
