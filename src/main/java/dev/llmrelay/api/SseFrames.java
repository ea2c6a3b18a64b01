package dev.llmrelay.api;

/** Builds the text of SSE frames without a tree: these run once per token (JSON strings: {@link dev.llmrelay.http.JsonText}). */
final class SseFrames {

  private SseFrames() {
  }

  /** One complete event: {@code id}, {@code event} and a single-line JSON {@code data}, then the blank line. */
  static String event(long id, String type, CharSequence json) {
    return event(null, id, type, json);
  }

  /** The same, with the id {@code <stream>:<id>} when {@code stream} is not null (a resumable stream's). */
  static String event(String stream, long id, String type, CharSequence json) {
    return close(open(stream, id, type, json.length()).append(json));
  }

  /**
   * The start of an event, up to where its single-line JSON {@code data} goes, in a builder with room
   * for {@code dataCapacity} more characters: the caller appends the JSON, then {@link #close}s it.
   * One builder per event, since this runs once per token.
   */
  static StringBuilder open(long id, String type, int dataCapacity) {
    return open(null, id, type, dataCapacity);
  }

  /** The same, with the id {@code <stream>:<id>} when {@code stream} is not null (a resumable stream's). */
  static StringBuilder open(String stream, long id, String type, int dataCapacity) {
    StringBuilder out = new StringBuilder(dataCapacity + 80).append("id: ");
    if (stream != null) {
      out.append(stream).append(':');
    }
    return out.append(id).append('\n')
      .append("event: ").append(type).append('\n')
      .append("data: ");
  }

  /** Ends an event begun with {@link #open}. */
  static String close(StringBuilder event) {
    return event.append("\n\n").toString();
  }
}
