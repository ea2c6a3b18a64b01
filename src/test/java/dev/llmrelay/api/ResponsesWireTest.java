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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bytes of {@code /v1/responses} as any HTTP client sees them, independent of an SDK. */
@ExtendWith(VertxExtension.class)
class ResponsesWireTest {

  @Test
  void aStreamIsTheResponsesApisExactEventSequenceWithSequenceNumbers(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.post("/v1/responses", request("openai/gpt-4o", "hi [sim tokens=3 paceMs=0]")
      .put("stream", true).encode()).await();

    assertEquals(200, result.status());
    assertEquals("text/event-stream; charset=utf-8", result.contentType());
    JsonObject created = result.events().get(0).json().getJsonObject("response");
    String id = created.getString("id");
    assertTrue(id.matches("resp_[0-9a-f]{48}"), id);
    long createdAt = created.getLong("created_at");
    assertTrue(Math.abs(System.currentTimeMillis() / 1000 - createdAt) < 60, "created_at is in seconds");
    String item = result.events().get(2).json().getJsonObject("item").getString("id");
    assertTrue(item.matches("msg_[0-9a-f]{48}"), item);
    JsonObject text = new JsonObject().put("type", "output_text").put("annotations", new JsonArray())
      .put("logprobs", new JsonArray()).put("text", "The quick brown ");
    JsonObject message = message(item, "completed", new JsonArray().add(text));
    JsonObject usage = new JsonObject().put("input_tokens", 17)
      .put("input_tokens_details", new JsonObject().put("cached_tokens", 0)).put("output_tokens", 3)
      .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0)).put("total_tokens", 20);
    Events expected = new Events()
      .add("response.created", new JsonObject().put("response", response(id, createdAt, "in_progress", new JsonArray(), null)))
      .add("response.in_progress", new JsonObject().put("response", response(id, createdAt, "in_progress", new JsonArray(), null)))
      .add("response.output_item.added", new JsonObject().put("output_index", 0)
        .put("item", message(item, "in_progress", new JsonArray())))
      .add("response.content_part.added", part(item).put("part", text.copy().put("text", "")))
      .add("response.output_text.delta", part(item).put("delta", "The ").put("logprobs", new JsonArray()))
      .add("response.output_text.delta", part(item).put("delta", "quick ").put("logprobs", new JsonArray()))
      .add("response.output_text.delta", part(item).put("delta", "brown ").put("logprobs", new JsonArray()))
      .add("response.output_text.done", part(item).put("text", "The quick brown ").put("logprobs", new JsonArray()))
      .add("response.content_part.done", part(item).put("part", text))
      .add("response.output_item.done", new JsonObject().put("output_index", 0).put("item", message))
      .add("response.completed", new JsonObject().put("response", response(id, createdAt, "completed",
        new JsonArray().add(message), usage)));
    assertEquals(expected.body.toString(), result.body());
    assertEquals(1, h.simulator.stats().completed());

    SseClient.Result metrics = client.get("/metrics").await();
    assertTrue(metrics.body().contains("relay_http_requests_total{endpoint=\"/v1/responses\",method=\"POST\",status=\"200\""),
      "the endpoint has its own metrics label");
  }

  @Test
  void aFunctionCallStreamsAsAFunctionCallItemOfArgumentDeltas(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    JsonObject parameters = new JsonObject().put("type", "object")
      .put("properties", new JsonObject().put("query", new JsonObject().put("type", "string")));
    JsonObject tool = new JsonObject().put("type", "function").put("name", "find").put("parameters", parameters);

    SseClient.Result result = client.post("/v1/responses", request("sim/tools", "find it [sim paceMs=0]")
      .put("stream", true).put("tools", new JsonArray().add(tool)).put("tool_choice", "required").encode()).await();

    List<SseEvent> events = result.events();
    assertSequenceNumbers(events);
    String arguments = "{\"query\":\"example\"}";
    int fragments = (arguments.length() + 3) / 4;
    List<String> types = new ArrayList<>(List.of("response.created", "response.in_progress", "response.output_item.added"));
    for (int i = 0; i < fragments; i++) {
      types.add("response.function_call_arguments.delta");
    }
    types.addAll(List.of("response.function_call_arguments.done", "response.output_item.done", "response.completed"));
    assertEquals(types, events.stream().map(SseEvent::event).toList());
    JsonObject added = events.get(2).json().getJsonObject("item");
    String itemId = added.getString("id");
    assertTrue(itemId.matches("fc_[0-9a-f]{48}"), itemId);
    String callId = added.getString("call_id");
    assertTrue(callId.startsWith("call_0_"), callId);
    assertEquals(new JsonObject().put("id", itemId).put("type", "function_call").put("status", "in_progress")
      .put("arguments", "").put("call_id", callId).put("name", "find"), added);
    StringBuilder streamed = new StringBuilder();
    for (SseEvent delta : events.subList(3, 3 + fragments)) {
      assertEquals(itemId, delta.json().getString("item_id"));
      assertEquals(0, delta.json().getInteger("output_index"));
      streamed.append(delta.json().getString("delta"));
    }
    assertEquals(arguments, streamed.toString());
    JsonObject done = events.get(3 + fragments).json();
    assertEquals("find", done.getString("name"));
    assertEquals(arguments, done.getString("arguments"));
    JsonObject call = new JsonObject().put("id", itemId).put("type", "function_call").put("status", "completed")
      .put("arguments", arguments).put("call_id", callId).put("name", "find");
    assertEquals(call, events.get(4 + fragments).json().getJsonObject("item"));
    JsonObject response = result.last().json().getJsonObject("response");
    assertEquals(new JsonArray().add(call), response.getJsonArray("output"));
    assertEquals(new JsonArray().add(tool.copy().putNull("description").putNull("strict")), response.getJsonArray("tools"));
    JsonObject upstream = h.simulator.stats().bodies().get(0);
    assertEquals(new JsonArray().add(new JsonObject().put("type", "function").put("function",
      new JsonObject().put("name", "find").put("parameters", parameters))), upstream.getJsonArray("tools"));
    assertEquals("required", upstream.getString("tool_choice"));
  }

  @Test
  void aMidStreamFailureIsOneResponseFailedEventAndNothingFollows(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.post("/v1/responses", request("sim/midstream-error-done",
      "go [sim tokens=10 errorAt=3 paceMs=0]").put("stream", true).encode()).await();

    assertEquals(200, result.status());
    assertSequenceNumbers(result.events());
    assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
      "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
      "response.output_text.delta", "response.failed"), result.events().stream().map(SseEvent::event).toList());
    JsonObject failed = result.last().json().getJsonObject("response");
    assertEquals("failed", failed.getString("status"));
    assertEquals(new JsonObject().put("code", "rate_limit_exceeded")
      .put("message", "Upstream rate limit reached: Rate limit exceeded"), failed.getJsonObject("error"));
    JsonObject partial = failed.getJsonArray("output").getJsonObject(0);
    assertEquals("incomplete", partial.getString("status"));
    assertEquals("The quick brown ", partial.getJsonArray("content").getJsonObject(0).getString("text"));
    assertFalse(result.body().contains("response.completed"), "the upstream sent [DONE] after its error");
    assertEquals(1, h.simulator.stats().requests());
  }

  @Test
  void reachingMaxOutputTokensIsAnIncompleteResponse(Vertx vertx) {
    HttpServer upstream = cannedUpstream(vertx);
    RelayHarness h = RelayHarness.start(vertx, c -> c.withUpstream(c.upstream()
      .withUrl("http://127.0.0.1:" + upstream.actualPort() + "/api/v1", false)));
    SseClient client = new SseClient(vertx, h.port);
    JsonObject body = request("canned/length", "hi").put("max_output_tokens", 2);
    JsonObject usage = new JsonObject().put("input_tokens", 11)
      .put("input_tokens_details", new JsonObject().put("cached_tokens", 5)).put("output_tokens", 2)
      .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0)).put("total_tokens", 13);

    SseClient.Result streamed = client.post("/v1/responses", body.copy().put("stream", true).encode()).await();
    SseClient.Result whole = client.post("/v1/responses", body.encode()).await();

    List<SseEvent> events = streamed.events();
    assertEquals("response.incomplete", streamed.last().event());
    assertEquals("incomplete", events.get(events.size() - 2).json().getJsonObject("item").getString("status"));
    for (JsonObject response : List.of(streamed.last().json().getJsonObject("response"), new JsonObject(whole.body()))) {
      assertEquals("incomplete", response.getString("status"));
      assertEquals(new JsonObject().put("reason", "max_output_tokens"), response.getJsonObject("incomplete_details"));
      assertEquals(2, response.getInteger("max_output_tokens"));
      JsonObject item = response.getJsonArray("output").getJsonObject(0);
      assertEquals("incomplete", item.getString("status"));
      assertEquals("Hello", item.getJsonArray("content").getJsonObject(0).getString("text"));
      assertEquals(usage, response.getJsonObject("usage"));
    }
    assertEquals(0, h.simulator.stats().requests(), "the canned upstream answered, not the simulator");
  }

  @Test
  void invalidBodiesAre400sInOpenAisShapeNamingTheParamAndNothingGoesUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    String ok = "\"model\":\"m\",\"input\":\"hi\"";
    Map<String, List<String>> byBody = new LinkedHashMap<>();
    byBody.put("not json", java.util.Arrays.asList(null, "We could not parse the JSON body"));
    byBody.put("{\"model\":\"m\"}", List.of("input", "input: required"));
    byBody.put("{" + ok + ",\"previous_response_id\":\"resp_1\"}",
      List.of("previous_response_id", "previous_response_id: this relay does not store responses"));
    byBody.put("{" + ok + ",\"store\":true}", List.of("store", "store: this relay does not store responses"));
    byBody.put("{" + ok + ",\"background\":true}", List.of("background", "background: unknown or unsupported parameter"));
    byBody.put("{" + ok + ",\"temperature\":\"hot\"}", List.of("temperature", "temperature: must be a number from 0 to 2"));
    byBody.put("{" + ok + ",\"max_output_tokens\":0}", List.of("max_output_tokens", "max_output_tokens: must be an integer"));
    byBody.put("{" + ok + ",\"stream\":\"yes\"}", List.of("stream", "stream: must be a boolean"));
    byBody.put("{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}",
      List.of("input[0].type", "input[0].type: this relay does not store responses"));
    byBody.put("{\"model\":\"m\",\"input\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
      List.of("input[0].role", "input[0].role: must be user, assistant, system or developer"));
    byBody.put("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"f\"}]}]}",
      List.of("input[0].content[0].type", "input[0].content[0].type: content part type input_file is not supported"));
    byBody.put("{\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":"
      + "[{\"type\":\"input_image\",\"image_url\":\"https://x/y.png\"}]}]}",
      List.of("input[0].output[0]", "input[0].output[0]: must be an input_text part"));
    byBody.put("{" + ok + ",\"tools\":[{\"type\":\"web_search\"}]}",
      List.of("tools[0].type", "tools[0].type: only function tools are supported by this relay"));
    byBody.put("{" + ok + ",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"x\"}}}",
      List.of("text.format.schema", "text.format.schema: required: a JSON Schema object"));
    byBody.put("{" + ok + ",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"x\",\"schema\":"
      + "{\"$ref\":\"http://127.0.0.1:9/x.json\"}}}}", List.of("text.format.schema", "text.format.schema: not a usable JSON Schema"));
    byBody.put("{" + ok + ",\"tool_choice\":{\"type\":\"file_search\"}}",
      List.of("tool_choice", "tool_choice: must be none, auto, required or {type: function, name}"));

    for (Map.Entry<String, List<String>> e : byBody.entrySet()) {
      SseClient.Result result = client.post("/v1/responses", e.getKey()).await();
      assertEquals(400, result.status(), e.getKey());
      JsonObject error = new JsonObject(result.body()).getJsonObject("error");
      assertEquals(List.of("message", "type", "param", "code"), List.copyOf(error.fieldNames()), result.body());
      assertEquals("invalid_request_error", error.getString("type"));
      assertEquals(e.getValue().get(0), error.getString("param"), e.getKey());
      assertTrue(error.getString("message").startsWith(e.getValue().get(1)), result.body());
    }
    assertEquals(0, h.simulator.stats().requests());
  }

  private static JsonObject request(String model, String input) {
    return new JsonObject().put("model", model).put("input", input);
  }

  private static JsonObject response(String id, long createdAt, String status, JsonArray output, JsonObject usage) {
    return new JsonObject().put("id", id).put("object", "response").put("created_at", createdAt).put("status", status)
      .putNull("error").putNull("incomplete_details").putNull("instructions").putNull("max_output_tokens")
      .put("model", "openai/gpt-4o").put("output", output).put("parallel_tool_calls", true)
      .putNull("previous_response_id").put("reasoning", new JsonObject().putNull("effort").putNull("summary"))
      .put("store", false).putNull("temperature").put("text", new JsonObject().put("format",
        new JsonObject().put("type", "text"))).put("tool_choice", "auto").put("tools", new JsonArray())
      .putNull("top_p").put("truncation", "disabled").put("usage", usage).putNull("user")
      .put("metadata", new JsonObject());
  }

  private static JsonObject message(String id, String status, JsonArray content) {
    return new JsonObject().put("id", id).put("type", "message").put("status", status).put("role", "assistant")
      .put("content", content);
  }

  private static JsonObject part(String item) {
    return new JsonObject().put("item_id", item).put("output_index", 0).put("content_index", 0);
  }

  private static void assertSequenceNumbers(List<SseEvent> events) {
    for (int i = 0; i < events.size(); i++) {
      assertEquals(i, events.get(i).json().getInteger("sequence_number"), events.get(i).data());
      assertEquals(events.get(i).event(), events.get(i).json().getString("type"));
    }
  }

  /** The expected body: each event with its type and the next sequence number first. */
  private static final class Events {
    final StringBuilder body = new StringBuilder();
    int sequence;

    Events add(String type, JsonObject fields) {
      JsonObject json = new JsonObject().put("type", type).put("sequence_number", sequence++);
      fields.forEach(e -> json.put(e.getKey(), e.getValue()));
      body.append("event: ").append(type).append("\ndata: ").append(json.encode()).append("\n\n");
      return this;
    }
  }

  /**
   * An upstream that answers "Hello" and stops at the token cap ({@code finish_reason: "length"}), with
   * cached prompt tokens in its usage.
   */
  private static HttpServer cannedUpstream(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      JsonObject usage = new JsonObject().put("prompt_tokens", 11).put("completion_tokens", 2).put("total_tokens", 13)
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", 5));
      String chunks = data(new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
          .put("delta", new JsonObject().put("role", "assistant").put("content", "Hello")))))
        + data(new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
          .put("delta", new JsonObject()).put("finish_reason", "length"))))
        + data(new JsonObject().put("choices", new JsonArray()).put("usage", usage))
        + "data: [DONE]\n\n";
      req.response().putHeader("Content-Type", "text/event-stream").end(chunks);
    })).listen(0, "127.0.0.1").await();
  }

  private static String data(JsonObject chunk) {
    return "data: " + chunk.put("model", "canned").encode() + "\n\n";
  }
}
