package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.bus.UsageFigures;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.OpenAiErrors;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Writes {@code POST /v1/chat/completions} with {@code stream: true}: every upstream
 * {@code chat.completion.chunk} as {@code data: <json>} exactly as the upstream sent it (so OpenRouter's
 * extras such as {@code provider}, {@code native_finish_reason}, {@code reasoning} and tool-call deltas
 * survive, and nothing is re-serialised per token), the usage chunk included, then {@code data: [DONE]}.
 * The status waits for the upstream's head, so failures before it get a real status and an OpenAI
 * error body; a failure after it is one {@code data:} event with a top-level {@code error}, which the
 * OpenAI SDKs raise, and no {@code [DONE]} follows it.
 *
 * <p>A {@linkplain StreamChunk#bare() bare} chunk (the role-only first chunk, the finish chunk) goes out
 * with the next event, or at the stream's next tick if none comes first: each write is a system call and
 * wakes the client, and these chunks hold nothing a client acts on at once. So a typical stream takes as
 * many writes as its content chunks plus the head and one last write (finish, usage, {@code [DONE]}).
 */
final class OpenAiStreamSink extends SseSink {

  private static final String DONE = "data: [DONE]\n\n";

  /** The upstream's usage chunk, held back to the end to add the cost the edge priced (if any). */
  private String usageChunk;
  /** Bare chunks' frames not written yet, in order; null when there are none. */
  private StringBuilder held;

  OpenAiStreamSink(HttpServerResponse response, long keepAliveMs) {
    super(new SseResponse(response, keepAliveMs));
  }

  @Override
  public void head(StreamChunk head) {
    sse.commit();
  }

  @Override
  public void delta(StreamChunk chunk) {
    if (chunk.raw() == null) {
      return;
    }
    if (chunk.text() == null && usageChunk == null && chunk.raw().contains("\"usage\":{")) {
      usageChunk = chunk.raw();
      return;
    }
    String frame = frame(chunk.raw());
    if (chunk.bare()) {
      held = held == null ? new StringBuilder(frame) : held.append(frame);
      return;
    }
    sse.write(withHeld(frame));
  }

  @Override
  public void end(StreamChunk end) {
    sse.commit();
    String usage = usageChunk == null ? "" : frame(withCost(usageChunk, EventSourceSink.cost(end.usage())));
    sse.end(withHeld(usage + DONE));
  }

  @Override
  public void error(RelayError error) {
    if (!sse.committed()) {
      sse.refuse(error, ErrorFormat.OPENAI);
      return;
    }
    sse.end(withHeld(OpenAiErrors.event(error)));
  }

  @Override
  public void tick(long now) {
    if (held != null) {
      sse.write(withHeld(""));
    }
    super.tick(now);
  }

  /** {@code frames} after the held ones, which are then out. */
  private String withHeld(String frames) {
    if (held == null) {
      return frames;
    }
    String out = held.append(frames).toString();
    held = null;
    return out;
  }


  /** The usage chunk with {@code usage.cost} set, if the upstream sent none and the edge priced it. */
  static String withCost(String chunk, Number cost) {
    if (cost == null) {
      return chunk;
    }
    // Usually OpenRouter's own cost is there already: found without building a map of the chunk.
    UsageFigures upstream = UsageFigures.inChunk(chunk);
    if (upstream != null && upstream.cost() != null) {
      return chunk;
    }
    try {
      JsonObject json = new JsonObject(chunk);
      if (json.getValue("usage") instanceof JsonObject usage && usage.getValue("cost") == null) {
        usage.put("cost", cost);
        return json.encode();
      }
    } catch (RuntimeException notJson) {
      // Passed on as the upstream sent it.
    }
    return chunk;
  }

  /**
   * One SSE event carrying {@code json}. JSON may legally hold line breaks between tokens (an upstream
   * that sent its data over several {@code data:} lines); each line then gets its own {@code data:}
   * field, which SSE readers join back with {@code \n}.
   */
  static String frame(String json) {
    if (json.indexOf('\n') < 0 && json.indexOf('\r') < 0) {
      return new StringBuilder(json.length() + 8).append("data: ").append(json).append("\n\n").toString();
    }
    StringBuilder out = new StringBuilder(json.length() + 32);
    for (String line : json.split("\r\n|\r|\n", -1)) {
      out.append("data: ").append(line).append('\n');
    }
    return out.append('\n').toString();
  }
}
