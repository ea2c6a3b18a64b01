package dev.llmrelay.api;

import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.SseEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bytes of {@code /v1/messages} as any HTTP client sees them, independent of an SDK. */
@ExtendWith(VertxExtension.class)
class AnthropicWireTest {

  private static final String USAGE_AT_START = "{\"input_tokens\":0,\"cache_creation_input_tokens\":null,"
    + "\"cache_read_input_tokens\":null,\"output_tokens\":0}";

  @Test
  void aStreamIsAnthropicsExactEventSequence(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.post("/v1/messages", request("openai/gpt-4o", "hi [sim tokens=3 paceMs=0]")
      .put("stream", true).encode()).await();

    assertEquals(200, result.status());
    assertEquals("text/event-stream; charset=utf-8", result.contentType());
    String id = result.events().get(0).json().getJsonObject("message").getString("id");
    assertTrue(id.matches("msg_[0-9A-Za-z]{24}"), id);
    assertEquals(""
        + event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + id + "\",\"type\":\"message\","
          + "\"role\":\"assistant\",\"model\":\"openai/gpt-4o\",\"content\":[],\"stop_reason\":null,"
          + "\"stop_sequence\":null,\"usage\":" + USAGE_AT_START + "}}")
        + event("content_block_start",
          "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
        + textDelta("The ") + textDelta("quick ") + textDelta("brown ")
        + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
        + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
          + "\"stop_sequence\":null},\"usage\":{\"input_tokens\":17,\"cache_creation_input_tokens\":null,"
          + "\"cache_read_input_tokens\":null,\"output_tokens\":3}}")
        + event("message_stop", "{\"type\":\"message_stop\"}"),
      result.body());
    assertEquals(1, h.simulator.stats().completed());
  }

  @Test
  void aToolCallStreamsAsAToolUseBlockOfInputJsonDeltas(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    JsonObject tool = new JsonObject().put("name", "find").put("input_schema", new JsonObject().put("type", "object")
      .put("properties", new JsonObject().put("query", new JsonObject().put("type", "string"))));

    SseClient.Result result = client.post("/v1/messages", request("sim/tools", "find it [sim paceMs=0]")
      .put("stream", true).put("tools", new JsonArray().add(tool)).encode()).await();

    List<SseEvent> events = result.events();
    List<String> types = events.stream().map(SseEvent::event).toList();
    String arguments = "{\"query\":\"example\"}";
    int fragments = (arguments.length() + 3) / 4;
    assertEquals("message_start", types.get(0));
    assertEquals("content_block_start", types.get(1));
    assertEquals(List.of("content_block_stop", "message_delta", "message_stop"),
      types.subList(2 + fragments, types.size()));
    JsonObject block = events.get(1).json().getJsonObject("content_block");
    assertEquals("tool_use", block.getString("type"));
    assertTrue(block.getString("id").startsWith("call_0_"), block.encode());
    assertEquals("find", block.getString("name"));
    assertEquals(new JsonObject(), block.getJsonObject("input"));
    StringBuilder partial = new StringBuilder();
    for (SseEvent delta : events.subList(2, 2 + fragments)) {
      assertEquals("content_block_delta", delta.event());
      assertEquals(0, delta.json().getInteger("index"));
      assertEquals("input_json_delta", delta.json().getJsonObject("delta").getString("type"));
      partial.append(delta.json().getJsonObject("delta").getString("partial_json"));
    }
    assertEquals(arguments, partial.toString());
    assertEquals("tool_use", events.get(events.size() - 2).json().getJsonObject("delta").getString("stop_reason"));
    assertEquals(new JsonArray().add(new JsonObject().put("type", "function").put("function",
        new JsonObject().put("name", "find").put("parameters", tool.getJsonObject("input_schema")))),
      h.simulator.stats().bodies().get(0).getJsonArray("tools"));
  }

  @Test
  void aMidStreamFailureIsOneErrorEventAndNoMessageStopFollows(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.post("/v1/messages", request("sim/midstream-error-done",
      "go [sim tokens=10 errorAt=3 paceMs=0]").put("stream", true).encode()).await();

    assertEquals(200, result.status());
    assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_delta",
      "content_block_delta", "error"), result.events().stream().map(SseEvent::event).toList());
    assertEquals(new JsonObject().put("type", "error").put("error", new JsonObject().put("type", "rate_limit_error")
      .put("message", "Upstream rate limit reached: Rate limit exceeded")), result.last().json());
    assertFalse(result.body().contains("message_stop"), "the upstream sent [DONE] after its error; the relay must not end cleanly");
    assertEquals(1, h.simulator.stats().requests());
  }

  @Test
  void pingEventsKeepAStreamOpenWhileTheUpstreamIsSlowToAnswer(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withStream(c.stream().withKeepAliveMs(100)));
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.post("/v1/messages", request("openai/gpt-4o", "hi [sim tokens=2 ttftMs=800 paceMs=0]")
      .put("stream", true).encode()).await();

    List<String> types = result.events().stream().map(SseEvent::event).toList();
    assertEquals("message_start", types.get(0));
    assertEquals("ping", types.get(1));
    assertEquals(new JsonObject().put("type", "ping"), result.events().get(1).json());
    int firstBlock = types.indexOf("content_block_start");
    assertTrue(types.subList(1, firstBlock).stream().allMatch("ping"::equals), types.toString());
    assertEquals(List.of("content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
      "message_delta", "message_stop"), types.subList(firstBlock, types.size()));
  }

  @Test
  void lengthAndStopSequenceFinishesBecomeMaxTokensAndStopSequence(Vertx vertx) {
    HttpServer upstream = cannedUpstream(vertx);
    RelayHarness h = RelayHarness.start(vertx, c -> c.withUpstream(c.upstream()
      .withUrl("http://127.0.0.1:" + upstream.actualPort() + "/api/v1", false)));
    SseClient client = new SseClient(vertx, h.port);
    JsonArray stops = new JsonArray().add("END").add("STOP");
    Map<String, JsonObject> cases = new LinkedHashMap<>();
    cases.put("canned/length", new JsonObject().put("stop_reason", "max_tokens").putNull("stop_sequence"));
    cases.put("canned/native-stop-sequence", new JsonObject().put("stop_reason", "stop_sequence").putNull("stop_sequence"));
    cases.put("canned/vllm-stop-reason", new JsonObject().put("stop_reason", "stop_sequence").put("stop_sequence", "END"));
    cases.put("canned/stop", new JsonObject().put("stop_reason", "end_turn").putNull("stop_sequence"));

    for (Map.Entry<String, JsonObject> c : cases.entrySet()) {
      JsonObject body = request(c.getKey(), "hi").put("stop_sequences", stops);
      SseClient.Result streamed = client.post("/v1/messages", body.copy().put("stream", true).encode()).await();
      JsonObject delta = streamed.events().get(streamed.events().size() - 2).json();
      assertEquals(c.getValue(), delta.getJsonObject("delta"), c.getKey());
      assertEquals(new JsonObject().put("input_tokens", 4).put("cache_creation_input_tokens", 2)
        .put("cache_read_input_tokens", 5).put("output_tokens", 2), delta.getJsonObject("usage"), c.getKey());

      SseClient.Result whole = client.post("/v1/messages", body.encode()).await();
      JsonObject message = new JsonObject(whole.body());
      assertEquals(c.getValue().getString("stop_reason"), message.getString("stop_reason"), c.getKey());
      assertEquals(c.getValue().getString("stop_sequence"), message.getString("stop_sequence"), c.getKey());
      assertEquals(new JsonArray().add(new JsonObject().put("type", "text").put("text", "Hello")),
        message.getJsonArray("content"));
    }
  }

  @Test
  void invalidBodiesAre400sInAnthropicsShapeAndNothingGoesUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withHttp(c.http().withMaxBodyBytes(4096)));
    SseClient client = new SseClient(vertx, h.port);
    String hi = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    String ok = "\"model\":\"m\",\"max_tokens\":16," + hi;
    Map<String, String> messageByBody = new LinkedHashMap<>();
    messageByBody.put("not json", "The request body is not a JSON object.");
    messageByBody.put("{\"max_tokens\":16," + hi + "}", "model: Field required");
    messageByBody.put("{\"model\":\"m\"," + hi + "}", "max_tokens: Field required");
    messageByBody.put("{\"model\":\"m\",\"max_tokens\":\"16\"," + hi + "}", "max_tokens: must be an integer of at least 1");
    messageByBody.put("{\"model\":\"m\",\"max_tokens\":16}", "messages: Field required");
    messageByBody.put("{\"model\":\"m\",\"max_tokens\":16,\"messages\":[]}",
      "messages: must be a non-empty array of {role, content} objects");
    messageByBody.put("{" + ok + ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}",
      "thinking: unknown or unsupported field");
    messageByBody.put("{\"model\":\"m\",\"max_tokens\":16,\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
      "messages.0.role: must be user, assistant or system");
    messageByBody.put("{\"model\":\"m\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":"
      + "[{\"type\":\"document\",\"source\":{}}]}]}", "messages.0.content.0.type: content block type document is not supported");
    messageByBody.put("{\"model\":\"m\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":"
      + "[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":{}}]}]}",
      "messages.0.content.0: tool_use blocks belong in assistant messages");
    messageByBody.put("{" + ok + ",\"temperature\":1.5}", "temperature: must be a number from 0 to 1");
    messageByBody.put("{" + ok + ",\"stop_sequences\":\"END\"}", "stop_sequences: must be an array of strings");
    messageByBody.put("{" + ok + ",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}",
      "tools.0.type: only custom (client) tools are supported by this relay");
    messageByBody.put("{" + ok + ",\"tool_choice\":{\"type\":\"tool\"}}", "tool_choice.name: Field required");
    messageByBody.put("{" + ok + ",\"stream\":\"yes\"}", "stream: must be a boolean");

    for (Map.Entry<String, String> e : messageByBody.entrySet()) {
      SseClient.Result result = client.post("/v1/messages", e.getKey()).await();
      assertEquals(400, result.status(), e.getKey());
      JsonObject body = new JsonObject(result.body());
      assertEquals(2, body.size(), result.body());
      assertEquals("error", body.getString("type"));
      JsonObject error = body.getJsonObject("error");
      assertEquals(2, error.size(), result.body());
      assertEquals("invalid_request_error", error.getString("type"), e.getKey());
      assertTrue(error.getString("message").startsWith(e.getValue()), result.body());
    }
    SseClient.Result tooLarge = client.post("/v1/messages",
      "{" + ok.replace("\"hi\"", "\"" + "x".repeat(5000) + "\"") + "}").await();
    assertEquals(413, tooLarge.status());
    assertEquals(new JsonObject().put("type", "error").put("error", new JsonObject().put("type", "request_too_large")
      .put("message", "body: larger than the limit of 4096 bytes")), new JsonObject(tooLarge.body()));
    assertEquals(0, h.simulator.stats().requests());
  }

  private static JsonObject request(String model, String text) {
    return new JsonObject().put("model", model).put("max_tokens", 64)
      .put("messages", new JsonArray(SseClient.userMessages(text)));
  }

  private static String event(String type, String json) {
    return "event: " + type + "\ndata: " + json + "\n\n";
  }

  private static String textDelta(String text) {
    return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
      + "\"text\":\"" + text + "\"}}");
  }

  /**
   * An upstream that answers "Hello" and finishes as the model id says: {@code canned/length}, a plain
   * {@code canned/stop}, a stop with OpenRouter's {@code native_finish_reason: "stop_sequence"}, or with vLLM's
   * {@code stop_reason} naming the sequence. Its usage has cached prompt tokens (read and written).
   */
  private static HttpServer cannedUpstream(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String model = new JsonObject(b.toString()).getString("model");
      JsonObject finish = new JsonObject().put("index", 0).put("delta", new JsonObject());
      switch (model) {
        case "canned/length" -> finish.put("finish_reason", "length").put("native_finish_reason", "max_tokens");
        case "canned/native-stop-sequence" -> finish.put("finish_reason", "stop")
          .put("native_finish_reason", "stop_sequence");
        case "canned/vllm-stop-reason" -> finish.put("finish_reason", "stop").put("stop_reason", "END");
        default -> finish.put("finish_reason", "stop").put("native_finish_reason", "end_turn");
      }
      JsonObject usage = new JsonObject().put("prompt_tokens", 11).put("completion_tokens", 2).put("total_tokens", 13)
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", 5).put("cache_write_tokens", 2));
      String chunks = data(new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
          .put("delta", new JsonObject().put("role", "assistant").put("content", "Hello")))))
        + data(new JsonObject().put("choices", new JsonArray().add(finish)))
        + data(new JsonObject().put("choices", new JsonArray()).put("usage", usage))
        + "data: [DONE]\n\n";
      req.response().putHeader("Content-Type", "text/event-stream").end(chunks);
    })).listen(0, "127.0.0.1").await();
  }

  private static String data(JsonObject chunk) {
    return "data: " + chunk.put("model", "canned").encode() + "\n\n";
  }
}
