package dev.llmrelay.api;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** Builds the text of SSE frames and JSON values without a tree: these run once per token. */
final class SseFrames {

  private SseFrames() {
  }

  /** Appends {@code value} as a JSON string literal (or null). */
  static StringBuilder quote(StringBuilder out, String value) {
    if (value == null) {
      return out.append("null");
    }
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, out);
    return out.append('"');
  }

  /** One complete event: {@code id}, {@code event} and a single-line JSON {@code data}, then the blank line. */
  static String event(long id, String type, CharSequence json) {
    return new StringBuilder(json.length() + 40)
      .append("id: ").append(id).append('\n')
      .append("event: ").append(type).append('\n')
      .append("data: ").append(json).append("\n\n")
      .toString();
  }
}
