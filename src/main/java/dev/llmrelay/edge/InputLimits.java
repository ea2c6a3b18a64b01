package dev.llmrelay.edge;

import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.error.RelayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Caps on a validated conversation that the byte limits alone leave loose: how many messages, and how
 * many characters all their strings hold together. Either refusal is a {@code 413} naming the field,
 * before anything goes upstream.
 */
public final class InputLimits {

  private final int maxMessages;
  private final int maxTotalChars;

  InputLimits(int maxMessages, int maxTotalChars) {
    this.maxMessages = maxMessages;
    this.maxTotalChars = maxTotalChars;
  }

  /** Throws a {@link RelayException} when {@code messages} is over a limit (0 means no limit). */
  public void check(JsonArray messages) {
    if (maxMessages > 0 && messages.size() > maxMessages) {
      throw tooLarge("messages", "at most " + maxMessages + " messages per request (got " + messages.size() + ")");
    }
    if (maxTotalChars > 0) {
      long total = chars(messages, 0);
      if (total > maxTotalChars) {
        throw tooLarge("messages", "at most " + maxTotalChars + " characters in all messages together (got "
          + total + ")");
      }
    }
  }

  private long chars(Object value, long sum) {
    if (value instanceof String s) {
      return sum + s.length();
    }
    long total = sum;
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        total = chars(item, total);
        if (total > maxTotalChars) {
          return total;
        }
      }
    } else if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        total = chars(entry.getValue(), total);
        if (total > maxTotalChars) {
          return total;
        }
      }
    }
    return total;
  }

  private static RelayException tooLarge(String field, String problem) {
    return new RelayError(ErrorType.BAD_REQUEST, 413, field + ": " + problem, -1, field).exception();
  }
}
