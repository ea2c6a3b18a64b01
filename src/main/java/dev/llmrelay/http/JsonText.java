package dev.llmrelay.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** JSON text written straight into a builder, for the lines and events built once per token or stream. */
public final class JsonText {

  private JsonText() {
  }

  /** Appends {@code value} as a JSON string literal (or null). */
  public static StringBuilder quote(StringBuilder out, String value) {
    if (value == null) {
      return out.append("null");
    }
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, out);
    return out.append('"');
  }
}
