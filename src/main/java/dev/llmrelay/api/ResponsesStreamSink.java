package dev.llmrelay.api;

import dev.llmrelay.bus.StreamChunk;
import dev.llmrelay.error.ErrorType;
import dev.llmrelay.error.RelayError;
import dev.llmrelay.http.ErrorFormat;
import dev.llmrelay.http.JsonText;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code POST /v1/responses} with {@code stream: true} in the Responses API's event sequence,
 * translated from the upstream's chat-completions chunks, every event with the next {@code sequence_number}
 * from 0: {@code response.created} and {@code response.in_progress} when the upstream has accepted; per
 * output item {@code response.output_item.added}, then for a message {@code response.content_part.added},
 * its {@code response.output_text.delta}s, {@code response.output_text.done} and
 * {@code response.content_part.done}, for a function call its {@code response.function_call_arguments.delta}s
 * and {@code .done}, and {@code response.output_item.done}; at the end {@code response.completed} (or
 * {@code response.incomplete} when the token cap cut the answer) with the whole response and its usage.
 * A message opens at the first non-empty content; a tool call's first fragment (the one with its id and
 * name) closes the item before it and opens a {@code function_call} item.
 *
 * <p>The status waits for the upstream's head, so failures before it get a real status and an OpenAI
 * error body; a failure after it is one {@code response.failed} event whose response carries the
 * {@code error}, and nothing follows it. Text chunks (nearly all of them) are written from the text the
 * provider already decoded; only chunks that may carry tool calls are parsed here.
 */
final class ResponsesStreamSink extends SseSink {

  private final ResponsesObject response;
  private final StringBuilder text = new StringBuilder();
  private final List<Item> items = new ArrayList<>();
  /** Per upstream tool-call index, its function_call item. */
  private final Map<Integer, Item> calls = new HashMap<>();
  private Item open;
  private long sequence;
  private String model;

  ResponsesStreamSink(HttpServerResponse response, ResponsesObject object, long keepAliveMs) {
    super(new SseResponse(response, keepAliveMs));
    this.response = object;
  }

  @Override
  public void head(StreamChunk head) {
    if (sse.committed()) {
      return;
    }
    JsonObject created = response.inProgress();
    String first = event("response.created", new JsonObject().put("response", created));
    sse.commit(first + event("response.in_progress", new JsonObject().put("response", created)));
  }

  @Override
  public void delta(StreamChunk chunk) {
    String raw = chunk.raw();
    if (raw == null) {
      return;
    }
    if (chunk.model() != null) {
      model = chunk.model();
    }
    String content = chunk.text();
    if (content != null && !content.isEmpty() && raw.indexOf("tool_calls") < 0) {
      text(content);
      return;
    }
    JsonObject delta;
    try {
      JsonObject json = new JsonObject(raw);
      if (!(json.getValue("choices") instanceof JsonArray choices) || choices.isEmpty()
        || !(choices.getValue(0) instanceof JsonObject choice) || !(choice.getValue("delta") instanceof JsonObject d)) {
        return; // the usage chunk, or one with nothing for the client
      }
      delta = d;
    } catch (DecodeException | ClassCastException e) {
      // The provider checks that each chunk is a JSON object, so this should not happen. The bus stream
      // goes on to its own end, which then finds the response ended.
      error(RelayError.of(ErrorType.UPSTREAM_PROTOCOL, "Malformed upstream stream: a chunk is not a JSON object"));
      return;
    }
    if (delta.getValue("content") instanceof String s && !s.isEmpty()) {
      text(s);
    }
    if (delta.getValue("tool_calls") instanceof JsonArray list) {
      for (int i = 0; i < list.size(); i++) {
        if (list.getValue(i) instanceof JsonObject call) {
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
    head(end);
    String finish = end.finishReason();
    String status = ResponsesObject.itemStatus(finish);
    close(status);
    JsonObject finished = response.finished(finish, end.model() != null ? end.model() : model, output(status),
      end.usage(), text.toString());
    String type = "completed".equals(finished.getString("status")) ? "response.completed" : "response.incomplete";
    sse.end(event(type, new JsonObject().put("response", finished)));
  }

  @Override
  public void error(RelayError error) {
    if (!sse.committed()) {
      sse.refuse(error, ErrorFormat.OPENAI_RESPONSES);
      return;
    }
    if (!sse.ended()) {
      sse.end(event("response.failed", new JsonObject().put("response", response.failed(error, model,
        output("incomplete")))));
    }
  }


  private void text(String delta) {
    if (open == null || !open.message) {
      close("completed");
      open = new Item(true, ResponsesObject.newId("msg_"), items.size(), null, null);
      items.add(open);
      sse.write(event("response.output_item.added", new JsonObject().put("output_index", open.index)
        .put("item", ResponsesObject.message(open.id, "in_progress", new JsonArray())))
        + event("response.content_part.added", part(open).put("part", ResponsesObject.outputText(""))));
    }
    open.content.append(delta);
    text.append(delta);
    StringBuilder json = new StringBuilder(delta.length() + 180)
      .append("{\"type\":\"response.output_text.delta\",\"sequence_number\":").append(sequence++)
      .append(",\"item_id\":\"").append(open.id).append("\",\"output_index\":").append(open.index)
      .append(",\"content_index\":0,\"delta\":");
    JsonText.quote(json, delta).append(",\"logprobs\":[]}");
    sse.write(frame("response.output_text.delta", json));
  }

  /**
   * One tool-call delta. OpenAI streams a call's id and name once, in its first fragment, then only
   * argument fragments naming its {@code index}; calls come one after another. A new id under an index
   * already used (some upstreams number every call 0) is a new call. A fragment of a call whose item has
   * closed (an upstream interleaving calls) still names that item and joins its arguments.
   */
  private void toolCall(JsonObject call, int position) {
    int index = call.getValue("index") instanceof Number n ? n.intValue() : position;
    JsonObject function = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
    String id = call.getValue("id") instanceof String s && !s.isEmpty() ? s : null;
    Item item = calls.get(index);
    boolean known = item != null && (id == null || id.equals(item.callId));
    if (!known && function.getValue("name") instanceof String name) {
      close("completed");
      item = new Item(false, ResponsesObject.newId("fc_"), items.size(),
        id != null ? id : AnthropicAnswer.newId("call_"), name);
      open = item;
      items.add(item);
      calls.put(index, item);
      sse.write(event("response.output_item.added", new JsonObject().put("output_index", item.index)
        .put("item", ResponsesObject.functionCall(item.id, "in_progress", item.callId, name, ""))));
    }
    if (function.getValue("arguments") instanceof String arguments && !arguments.isEmpty() && item != null) {
      item.content.append(arguments);
      sse.write(event("response.function_call_arguments.delta", new JsonObject().put("item_id", item.id)
        .put("output_index", item.index).put("delta", arguments)));
    }
  }

  /** Ends the open item with its done events. */
  private void close(String status) {
    if (open == null) {
      return;
    }
    Item item = open;
    open = null;
    item.status = status;
    String content = item.content.toString();
    if (item.message) {
      sse.write(event("response.output_text.done", part(item).put("text", content).put("logprobs", new JsonArray()))
        + event("response.content_part.done", part(item).put("part", ResponsesObject.outputText(content)))
        + event("response.output_item.done", new JsonObject().put("output_index", item.index).put("item", item.json())));
    } else {
      sse.write(event("response.function_call_arguments.done", new JsonObject().put("item_id", item.id)
          .put("output_index", item.index).put("name", item.name).put("arguments", content))
        + event("response.output_item.done", new JsonObject().put("output_index", item.index).put("item", item.json())));
    }
  }

  /** Every item so far; those still open get {@code openStatus}. */
  private JsonArray output(String openStatus) {
    JsonArray output = new JsonArray();
    for (Item item : items) {
      if (item.status == null) {
        item.status = openStatus;
      }
      output.add(item.json());
    }
    return output;
  }

  private static JsonObject part(Item item) {
    return new JsonObject().put("item_id", item.id).put("output_index", item.index).put("content_index", 0);
  }

  /** One event: its type and sequence number first, then {@code fields}. */
  private String event(String type, JsonObject fields) {
    JsonObject json = new JsonObject().put("type", type).put("sequence_number", sequence++);
    fields.forEach(e -> json.put(e.getKey(), e.getValue()));
    return frame(type, json.encode());
  }

  private static String frame(String type, CharSequence json) {
    return new StringBuilder(json.length() + type.length() + 16)
      .append("event: ").append(type).append("\ndata: ").append(json).append("\n\n").toString();
  }

  /** One output item being streamed: a message's text or a function call's arguments. */
  private static final class Item {

    final boolean message;
    final String id;
    final int index;
    final String callId;
    final String name;
    final StringBuilder content = new StringBuilder();
    /** Null while open. */
    String status;

    Item(boolean message, String id, int index, String callId, String name) {
      this.message = message;
      this.id = id;
      this.index = index;
      this.callId = callId;
      this.name = name;
    }

    JsonObject json() {
      return message
        ? ResponsesObject.message(id, status, new JsonArray().add(ResponsesObject.outputText(content.toString())))
        : ResponsesObject.functionCall(id, status, callId, name, content.toString());
    }
  }
}
