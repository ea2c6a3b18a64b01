package dev.llmrelay.api;

import dev.llmrelay.config.UpstreamConfig;
import dev.llmrelay.simulator.SimStream;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.Chunked;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.SseEvent;
import dev.llmrelay.testing.StallingReader;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bytes of {@code /v1/chat/completions} as any HTTP client sees them, independent of an SDK. */
@ExtendWith(VertxExtension.class)
class OpenAiWireTest {

  @Test
  void aStreamIsTheUpstreamChunksVerbatimThenDone(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.post("/v1/chat/completions", new JsonObject()
      .put("messages", new JsonArray(SseClient.userMessages("hi [sim tokens=5 paceMs=0]"))).put("stream", true)
      .encode()).await();

    assertEquals(200, result.status());
    assertEquals("text/event-stream; charset=utf-8", result.contentType());
    assertTrue(result.body().startsWith(": connected\n\ndata: {"), result.body());
    assertTrue(result.body().endsWith("\n\ndata: [DONE]\n\n"), result.body());
    List<SseEvent> events = result.events();
    assertEquals(9, events.size(), "role chunk, 5 tokens, finish chunk, usage chunk, [DONE]");
    assertEquals("[DONE]", result.last().data());
    JsonObject first = events.get(0).json();
    String id = first.getString("id");
    long created = first.getLong("created");
    // The finish chunk, byte for byte as the simulator wrote it (key order, nulls and extras kept).
    assertEquals("{\"id\":\"" + id + "\",\"provider\":\"Simulator\",\"model\":\"openai/gpt-4o-mini\","
      + "\"object\":\"chat.completion.chunk\",\"created\":" + created + ",\"choices\":[{\"index\":0,\"delta\":{},"
      + "\"finish_reason\":\"stop\",\"native_finish_reason\":\"stop\",\"logprobs\":null}],\"system_fingerprint\":null}",
      events.get(6).data());
    assertEquals(5, events.get(7).json().getJsonObject("usage").getInteger("completion_tokens"));
    assertEquals("openai/gpt-4o-mini", h.simulator.stats().bodies().get(0).getString("model"),
      "no model named: the relay's default");
  }

  @Test
  void aMidStreamFailureIsOneErrorEventAndNoDoneFollows(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.post("/v1/chat/completions", new JsonObject()
      .put("model", "sim/midstream-error-done").put("stream", true)
      .put("messages", new JsonArray(SseClient.userMessages("go [sim tokens=10 errorAt=3 paceMs=0]"))).encode()).await();

    assertEquals(200, result.status());
    assertEquals(5, result.events().size(), "role chunk, 3 tokens, the error");
    assertEquals(new JsonObject().put("error", new JsonObject()
        .put("message", "Upstream rate limit reached: Rate limit exceeded")
        .put("type", "rate_limit_error").put("param", null).put("code", "rate_limit_exceeded")),
      result.last().json());
    assertFalse(result.body().contains("[DONE]"), "the upstream sent [DONE] after its error; the relay must not");
    assertEquals(1, h.simulator.stats().requests());
  }

  @Test
  void aClientLeavingANonStreamingCallAbortsTheUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    HttpClientAgent http = vertx.createHttpClient();
    HttpClientRequest request = http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
      .setPort(h.port).setURI("/v1/chat/completions").putHeader("Content-Type", "application/json")).await();
    request.send(new JsonObject().put("messages", new JsonArray(SseClient.userMessages("long [sim tokens=2000 paceMs=20]")))
      .encode());

    Await.until(() -> h.simulator.stats().started() == 1, 5000, "the upstream stream started");
    request.connection().close().await();

    Await.until(() -> h.simulator.stats().aborted() == 1, 5000, "the simulator counts the relay's abort");
    assertTrue(h.simulator.stats().streams().get(0).written() < 2000);
    assertEquals(0, h.simulator.stats().completed());
  }

  @Test
  void aPausedClientStallsTheUpstreamAndLosesNothing(Vertx vertx) {
    int tokens = 80_000;
    RelayHarness h = RelayHarness.start(vertx);
    HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(16 * 1024));
    StallingReader reader = StallingReader.start(vertx, () -> http.request(new RequestOptions()
        .setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(h.port).setURI("/v1/chat/completions")
        .putHeader("Content-Type", "application/json"))
      .compose(req -> req.send(new JsonObject().put("model", "sim/flood").put("stream", true)
        .put("messages", new JsonArray(SseClient.userMessages("flood [sim tokens=" + tokens + "]"))).encode())));

    Await.until(() -> h.simulator.stats().started() == 1, 10_000, "the upstream stream started");
    SimStream upstream = h.simulator.stats().streams().get(0);
    // A full write queue can be momentary while buffers still drain; a stall is no progress for a second
    // (300 ms was not enough on a loaded machine: a starved event loop can pause that long mid-flood).
    int stalledAt = Await.quiet(upstream::written, 1_000, 30_000, "the upstream stalls");
    assertTrue(stalledAt < tokens, "stalled before the end: " + stalledAt);
    assertTrue(h.simulator.stats().writeQueueFull() > 0, "the simulator's writes backed up");
    assertTrue(h.relay.health().maxInFlight() <= 16, "in flight " + h.relay.health().maxInFlight() + " > window 16");

    Buffer received = reader.readRest().await();

    StringBuilder text = new StringBuilder();
    String[] blocks = received.toString("UTF-8").split("\n\n");
    for (String block : blocks) {
      if (block.startsWith("data: {")) {
        JsonArray choices = new JsonObject(block.substring(6)).getJsonArray("choices");
        if (!choices.isEmpty()) {
          text.append(choices.getJsonObject(0).getJsonObject("delta").getString("content", ""));
        }
      }
    }
    assertEquals("data: [DONE]", blocks[blocks.length - 1]);
    assertEquals(upstream.text(), text.toString());
  }

  @Test
  void invalidBodiesAre400sInOpenAiShapeAndNothingGoesUpstream(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withHttp(c.http().withMaxBodyBytes(4096)));
    SseClient client = new SseClient(vertx, h.port);
    String hi = "[{\"role\":\"user\",\"content\":\"hi\"}]";
    Map<String, String> paramByBody = new java.util.LinkedHashMap<>();
    paramByBody.put("not json", null);
    paramByBody.put("[1, 2]", null);
    paramByBody.put("{\"model\":\"openai/gpt-4o\"}", "messages");
    paramByBody.put("{\"messages\":[]}", "messages");
    paramByBody.put("{\"messages\":\"hi\"}", "messages");
    paramByBody.put("{\"messages\":[\"hi\"]}", "messages[0]");
    paramByBody.put("{\"messages\":[{\"content\":\"hi\"}]}", "messages[0].role");
    paramByBody.put("{\"messages\":" + hi + ",\"model\":42}", "model");
    paramByBody.put("{\"messages\":" + hi + ",\"stream\":\"yes\"}", "stream");

    for (Map.Entry<String, String> e : paramByBody.entrySet()) {
      SseClient.Result result = client.post("/v1/chat/completions", e.getKey()).await();
      assertEquals(400, result.status(), e.getKey());
      JsonObject error = new JsonObject(result.body()).getJsonObject("error");
      assertEquals(4, error.size(), result.body());
      assertEquals("invalid_request_error", error.getString("type"), e.getKey());
      assertEquals("bad_request", error.getString("code"), e.getKey());
      assertEquals(e.getValue(), error.getString("param"), e.getKey());
      assertFalse(error.getString("message").isBlank());
    }
    SseClient.Result tooLarge = client.post("/v1/chat/completions",
      "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000) + "\"}]}").await();
    assertEquals(413, tooLarge.status());
    assertEquals(new JsonObject().put("message", "body: larger than the limit of 4096 bytes")
        .put("type", "invalid_request_error").put("param", "body").put("code", "bad_request"),
      new JsonObject(tooLarge.body()).getJsonObject("error"));
    assertEquals(0, h.simulator.stats().requests());
  }

  @Test
  void toolCallDeltasCountAsProgressForTheFirstTokenTimeout(Vertx vertx) {
    // A first-token timeout far shorter than the tool call takes to stream: content never comes, yet
    // the upstream is busy answering, so the stream must not time out.
    RelayHarness h = RelayHarness.start(vertx, c -> {
      UpstreamConfig u = c.upstream();
      return c.withUpstream(u.withTimeouts(u.firstByteTimeoutMs(), 300, u.idleTimeoutMs(), u.totalTimeoutMs()));
    });
    SseClient client = new SseClient(vertx, h.port);
    JsonObject tool = new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "find")
      .put("parameters", new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put("query", new JsonObject().put("type", "string")))));

    SseClient.Result result = client.post("/v1/chat/completions", new JsonObject().put("model", "sim/tools")
      .put("stream", true).put("tools", new JsonArray().add(tool))
      .put("messages", new JsonArray(SseClient.userMessages("find it [sim paceMs=60]"))).encode()).await();

    assertEquals("[DONE]", result.last().data(), result.body());
    StringBuilder arguments = new StringBuilder();
    for (SseEvent event : result.events().subList(1, result.events().size() - 3)) {
      JsonObject call = event.json().getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
        .getJsonArray("tool_calls").getJsonObject(0);
      arguments.append(call.getJsonObject("function").getString("arguments"));
    }
    assertEquals("{\"query\":\"example\"}", arguments.toString());
    assertEquals(1, h.simulator.stats().completed());
  }

  @Test
  void bareChunksGoOutWithTheNextEventSoEachTokenIsOneWrite(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);

    List<List<String>> writes = writes(vertx, h.port, "hi [sim tokens=3 paceMs=0]");

    assertEquals(List.of(List.of("connected"), List.of("role", "The "), List.of("quick "), List.of("brown "),
      List.of("finish stop", "usage 3", "[DONE]")), writes);
  }

  @Test
  void aBareChunkWithNothingAfterItGoesOutAtTheNextTick(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);

    // The role chunk comes at once, the first token 2.5 s later; the stream ticks every 500 ms.
    List<List<String>> writes = writes(vertx, h.port, "hi [sim tokens=1 ttftMs=2500 paceMs=0]");

    assertEquals(List.of(List.of("connected"), List.of("role"), List.of("The "),
      List.of("finish stop", "usage 1", "[DONE]")), writes);
  }

  /**
   * Streams {@code prompt} over a raw connection and returns the body's HTTP chunks, one per write of the
   * relay, each as what its events are: a comment's text, {@code role}, a token's content, {@code finish}
   * and its reason, {@code usage} and its completion tokens, or {@code [DONE]}.
   */
  private static List<List<String>> writes(Vertx vertx, int port, String prompt) {
    String body = new JsonObject().put("stream", true).put("messages", new JsonArray(SseClient.userMessages(prompt)))
      .encode();
    NetSocket socket = vertx.createNetClient().connect(port, "127.0.0.1").await();
    Buffer received = Buffer.buffer();
    Promise<Void> closed = Promise.promise();
    socket.handler(received::appendBuffer);
    socket.closeHandler(v -> closed.complete());
    socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      + "Content-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
      + "\r\n\r\n" + body).await();
    closed.future().timeout(10, TimeUnit.SECONDS).await();

    String text = received.toString(StandardCharsets.ISO_8859_1);
    assertTrue(text.startsWith("HTTP/1.1 200") && text.contains("transfer-encoding: chunked"), text);
    List<List<String>> writes = new ArrayList<>();
    for (byte[] chunk : Chunked.chunks(received.getBytes(text.indexOf("\r\n\r\n") + 4, received.length()))) {
      List<String> events = new ArrayList<>();
      for (String event : new String(chunk, StandardCharsets.UTF_8).split("\n\n")) {
        events.add(event.startsWith(": ") ? event.substring(2) : describe(event.substring("data: ".length())));
      }
      writes.add(events);
    }
    return writes;
  }

  private static String describe(String data) {
    if (data.equals("[DONE]")) {
      return data;
    }
    JsonObject chunk = new JsonObject(data);
    if (chunk.getJsonObject("usage") != null) {
      return "usage " + chunk.getJsonObject("usage").getInteger("completion_tokens");
    }
    JsonObject choice = chunk.getJsonArray("choices").getJsonObject(0);
    JsonObject delta = choice.getJsonObject("delta");
    if (choice.getString("finish_reason") != null) {
      return "finish " + choice.getString("finish_reason");
    }
    return delta.containsKey("role") ? "role" : delta.getString("content");
  }

  @Test
  void keepAliveCommentsFlowWhileTheUpstreamIsSlowToAnswer(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withStream(c.stream().withKeepAliveMs(100)));
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.post("/v1/chat/completions", new JsonObject().put("stream", true)
      .put("messages", new JsonArray(SseClient.userMessages("hi [sim tokens=2 ttftMs=1300 paceMs=0]"))).encode()).await();

    String body = result.body();
    int keepAlive = body.indexOf(": keep-alive\n\n");
    assertTrue(keepAlive > body.indexOf("\"role\":\"assistant\""), body);
    assertTrue(keepAlive < body.indexOf("\"content\":\"The \""), body);
    assertEquals("[DONE]", result.last().data());
    assertEquals(6, result.events().size());
    assertEquals(1, h.simulator.stats().completed());
  }
}
