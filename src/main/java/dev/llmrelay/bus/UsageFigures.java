package dev.llmrelay.bus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * The figures the relay reads from an upstream's {@code usage} object ({@link StreamChunk#usage}): prompt,
 * completion and total tokens, and OpenRouter's {@code cost} in US dollars. Read with Jackson's streaming
 * parser, without building a map of the object: the edge reads a stream's usage once, and so do the
 * EventSource and OpenAI sinks (the latter in its upstream chunk, {@link #inChunk}), on the event loop.
 *
 * @param promptTokens {@code prompt_tokens}, or null when absent
 * @param completionTokens {@code completion_tokens}, or null when absent
 * @param totalTokens {@code total_tokens}, or null when absent
 * @param cost {@code cost}, or null when absent
 */
public record UsageFigures(Long promptTokens, Long completionTokens, Long totalTokens, Number cost) {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * The figures of {@code usage}, or null when it is null, not a JSON object, or holds one of the four
   * fields as something other than a number or null.
   */
  public static UsageFigures read(String usage) {
    if (usage == null) {
      return null;
    }
    try (JsonParser p = JSON.createParser(usage)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      UsageFigures figures = read(p);
      return figures != null && p.nextToken() == null ? figures : null;
    } catch (IOException malformed) {
      return null;
    }
  }

  /**
   * The figures of the {@code usage} object of {@code chunk} (an upstream's chat-completion chunk), or null
   * when it has none or {@link #read} would not accept it. Only that member is read; the rest is skipped.
   */
  public static UsageFigures inChunk(String chunk) {
    try (JsonParser p = JSON.createParser(chunk)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean usage = "usage".equals(p.currentName());
        if (p.nextToken() == JsonToken.START_OBJECT && usage) {
          return read(p);
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException malformed) {
      return null;
    }
  }

  /** Reads the object the parser is at (its start) through its end. */
  private static UsageFigures read(JsonParser p) throws IOException {
    Long prompt = null;
    Long completion = null;
    Long total = null;
    Number cost = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "prompt_tokens", "completion_tokens", "total_tokens", "cost" -> {
          if (value == JsonToken.VALUE_NULL) {
            continue;
          }
          if (!value.isNumeric()) {
            return null;
          }
          switch (field) {
            case "prompt_tokens" -> prompt = p.getNumberValue().longValue();
            case "completion_tokens" -> completion = p.getNumberValue().longValue();
            case "total_tokens" -> total = p.getNumberValue().longValue();
            default -> cost = p.getNumberValue();
          }
        }
        default -> p.skipChildren();
      }
    }
    return p.currentToken() == JsonToken.END_OBJECT ? new UsageFigures(prompt, completion, total, cost) : null;
  }

  /**
   * {@code usage} (a JSON object, as {@link #read} accepted) with {@code "cost": usd} added as its last member,
   * written as Jackson writes a double.
   */
  public static String withCost(String usage, double usd) {
    int close = usage.lastIndexOf('}');
    int open = usage.indexOf('{');
    boolean empty = usage.substring(open + 1, close).isBlank();
    return usage.substring(0, close) + (empty ? "" : ",") + "\"cost\":" + usd + usage.substring(close);
  }
}
