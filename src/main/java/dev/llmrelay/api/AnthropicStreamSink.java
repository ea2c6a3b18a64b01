package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.AnthropicErrors;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.JsonText;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * Writes {@code POST /v1/messages} with {@code stream: true} in Anthropic's event sequence, translated
 * from the upstream's chat-completions chunks: {@code message_start} when the upstream has accepted;
 * then per content block {@code content_block_start}, its {@code content_block_delta}s ({@code text_delta}
 * for content, {@code input_json_delta} for a tool call's argument fragments) and {@code content_block_stop};
 * at the end {@code message_delta} with the stop reason and usage, and {@code message_stop}. A text block
 * opens at the first non-empty content; a tool call's first fragment (the one with its id and name) closes
 * the block before it and opens a {@code tool_use} block. {@code ping} events keep an idle stream open.
 *
 * <p>The status waits for the upstream's head, so failures before it get a real status and an Anthropic
 * error body; a failure after it is one {@code event: error}, which the SDKs raise, and no
 * {@code message_stop} follows it. Text chunks (nearly all of them) are written from the text the provider
 * already decoded; only chunks that may carry tool calls or a stop reason are parsed here.
 */
final class AnthropicStreamSink extends SseSink {

  private static final String PING = "event: ping\ndata: {\"type\":\"ping\"}\n\n";
  private static final String MESSAGE_STOP = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  private final String model;
  private final AnthropicStop stop;
  /** The index of the open block, or -1; blocks are numbered from 0 in the order they open. */
  private int openBlock = -1;
  private int blocks;
  private boolean openIsText;
  /** Per upstream tool-call index, the call's id and the index of its tool_use block. */
  private final Map<Integer, String> toolIds = new HashMap<>();
  private final Map<Integer, Integer> toolBlocks = new HashMap<>();

  AnthropicStreamSink(HttpServerResponse response, String model, AnthropicStop stop, long keepAliveMs) {
    super(new SseResponse(response, keepAliveMs, PING));
    this.model = model;
    this.stop = stop;
  }

  @Override
  public void head(StreamChunk head) {
    if (sse.committed()) {
      return;
    }
    JsonObject message = new JsonObject()
      .put("id", AnthropicAnswer.newId("msg_"))
      .put("type", "message")
      .put("role", "assistant")
      .put("model", model)
      .put("content", new JsonArray())
      .put("stop_reason", null)
      .put("stop_sequence", null)
      .put("usage", AnthropicAnswer.startUsage());
    sse.commit(event("message_start", new JsonObject().put("type", "message_start").put("message", message).encode()));
  }

  @Override
  public void delta(StreamChunk chunk) {
    String raw = chunk.raw();
    if (raw == null) {
      return;
    }
    String text = chunk.text();
    if (text != null && !text.isEmpty() && raw.indexOf("tool_calls") < 0 && raw.indexOf("stop_") < 0) {
      text(text);
      return;
    }
    JsonObject choice;
    try {
      JsonObject json = new JsonObject(raw);
      if (!(json.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()
        || !(choices.getValue(0) instanceof JsonObject first)) {
        return; // the usage chunk, or one with nothing for the client
      }
      choice = first;
    } catch (DecodeException | ClassCastException e) {
      // The provider checks that each chunk is a JSON object, so this should not happen. The bus stream
      // goes on to its own end, which then finds the response ended.
      error(RelayError.of(ErrorType.UPSTREAM_PROTOCOL, "Malformed upstream stream: a chunk is not a JSON object"));
      return;
    }
    stop.observe(choice);
    if (!(choice.getValue("delta") instanceof JsonObject delta)) {
      return;
    }
    if (delta.getValue("content") instanceof String content && !content.isEmpty()) {
      text(content);
    }
    if (delta.getValue("tool_calls") instanceof JsonArray calls) {
      for (int i = 0; i < calls.size(); i++) {
        if (calls.getValue(i) instanceof JsonObject call) {
          toolCall(call, i);
        }
      }
    }
  }

  @Override
  public void end(StreamChunk end) {
    if (sse.ended()) {
      return;
    }
    closeBlock();
    StringBuilder json = new StringBuilder(256).append("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":");
    JsonText.quote(json, stop.reason(end.finishReason())).append(",\"stop_sequence\":");
    JsonText.quote(json, stop.sequence(end.finishReason())).append("},\"usage\":")
      .append(AnthropicAnswer.usage(end.usage()).encode()).append('}');
    sse.write(event("message_delta", json));
    sse.end(MESSAGE_STOP);
  }

  @Override
  public void error(RelayError error) {
    if (!sse.committed()) {
      sse.refuse(error, ErrorFormat.ANTHROPIC);
    } else {
      sse.end(AnthropicErrors.event(error));
    }
  }


  private void text(String text) {
    if (openBlock < 0 || !openIsText) {
      openBlock("{\"type\":\"text\",\"text\":\"\"}", true);
    }
    StringBuilder json = new StringBuilder(text.length() + 80)
      .append("{\"type\":\"content_block_delta\",\"index\":").append(openBlock)
      .append(",\"delta\":{\"type\":\"text_delta\",\"text\":");
    JsonText.quote(json, text).append("}}");
    sse.write(event("content_block_delta", json));
  }

  /**
   * One tool-call delta. OpenAI streams a call's id and name once, in its first fragment, then only
   * argument fragments naming its {@code index}; calls come one after another. A fragment of a call whose
   * block has closed (an upstream interleaving calls) still carries that call's block index; a new id
   * under an index already used (some upstreams number every call 0) is a new call.
   */
  private void toolCall(JsonObject call, int position) {
    int index = call.getValue("index") instanceof Number n ? n.intValue() : position;
    JsonObject function = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
    String id = call.getValue("id") instanceof String s && !s.isEmpty() ? s : null;
    boolean known = toolBlocks.containsKey(index) && (id == null || id.equals(toolIds.get(index)));
    if (!known && function.getValue("name") instanceof String name) {
      String blockId = id != null ? id : AnthropicAnswer.newId("toolu_");
      openBlock(new JsonObject().put("type", "tool_use").put("id", blockId).put("name", name)
        .put("input", new JsonObject()).encode(), false);
      toolIds.put(index, blockId);
      toolBlocks.put(index, openBlock);
    }
    Integer block = toolBlocks.get(index);
    if (function.getValue("arguments") instanceof String arguments && !arguments.isEmpty() && block != null) {
      StringBuilder json = new StringBuilder(arguments.length() + 90)
        .append("{\"type\":\"content_block_delta\",\"index\":").append(block)
        .append(",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":");
      JsonText.quote(json, arguments).append("}}");
      sse.write(event("content_block_delta", json));
    }
  }

  private void openBlock(String contentBlock, boolean text) {
    closeBlock();
    openBlock = blocks++;
    openIsText = text;
    sse.write(event("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + openBlock
      + ",\"content_block\":" + contentBlock + "}"));
  }

  private void closeBlock() {
    if (openBlock >= 0) {
      sse.write(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + openBlock + "}"));
      openBlock = -1;
    }
  }

  private static String event(String type, CharSequence json) {
    return new StringBuilder(json.length() + type.length() + 16)
      .append("event: ").append(type).append("\ndata: ").append(json).append("\n\n").toString();
  }
}
