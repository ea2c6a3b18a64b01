package dev.llmrelay.edge;

import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.error.RelayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Caps on a validated conversation that the byte limits alone leave loose: how many messages, and how
 * many characters their content holds together (UTF-16 units; string content and text parts). Either
 * refusal is a {@code 413} naming the field, before anything goes upstream.
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
      long total = chars(messages);
      if (total > maxTotalChars) {
        throw tooLarge("messages", "at most " + maxTotalChars + " characters in the content of all messages (got "
          + total + ")");
      }
    }
  }

  /** The characters of every message's content: a string, or the text of its text parts. */
  private static long chars(JsonArray messages) {
    long total = 0;
    for (Object message : messages) {
      Object content = message instanceof JsonObject m ? m.getValue("content") : null;
      if (content instanceof String text) {
        total += text.length();
      } else if (content instanceof JsonArray parts) {
        for (Object part : parts) {
          if (part instanceof JsonObject p && p.getValue("text") instanceof String text) {
            total += text.length();
          }
        }
      }
    }
    return total;
  }

  private static RelayException tooLarge(String field, String problem) {
    return new RelayError(ErrorType.BAD_REQUEST, 413, field + ": " + problem, -1, field).exception();
  }
}
