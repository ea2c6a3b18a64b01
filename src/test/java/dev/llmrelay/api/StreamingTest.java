package dev.llmrelay.api;

import dev.llmrelay.simulator.SimStream;
import dev.llmrelay.testing.ClientLoop;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The EventSource contract end to end, relay in front of the simulator. */
@ExtendWith(VertxExtension.class)
class StreamingTest {

  @Test
  void thousandMultibyteTokensInThreeByteWritesWithCrlfArriveByteForByte(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    String messages = SseClient.userMessages("Tell me a story [sim tokens=1000 split=3 crlf multibyte keepalives=2 paceMs=0]");

    long before = System.currentTimeMillis();
    SseClient.Result result = client.get(SseClient.query(messages, null)).await();
    long after = System.currentTimeMillis();

    assertEquals(200, result.status());
    assertEquals("text/event-stream; charset=utf-8", result.contentType());
    SimStream upstream = h.simulator.stats().streams().get(0);
    assertEquals(1000, upstream.written());
    assertEquals(upstream.text(), result.text());
    // Compression would hold small events back in the compressor's window: the stream is asked for as is.
    assertNull(h.simulator.stats().lastAcceptEncoding());
    assertTrue(result.text().contains("日本語") && result.text().contains("🙂") && result.text().contains("𝄞"));
    assertEquals(1001, result.events().size());
    for (int i = 0; i < result.events().size(); i++) {
      SseEvent event = result.events().get(i);
      assertEquals(Integer.toString(i + 1), event.id());
      assertEquals("message", event.event());
    }
    for (SseEvent event : result.events().subList(0, 1000)) {
      JsonObject metadata = event.json().getJsonObject("metadata");
      assertEquals("openrouter", metadata.getString("provider"));
      assertEquals("openai/gpt-4o-mini", metadata.getString("model"));
      assertIsoTimestampBetween(before, after, metadata.getString("timestamp"));
    }
    JsonObject done = result.last().json();
    assertIsoTimestampBetween(before, after, done.getJsonObject("metadata").getString("timestamp"));
    assertEquals("[DONE]", done.getString("text"));
    assertEquals("system", done.getJsonObject("metadata").getString("provider"));
    assertEquals("stop", done.getJsonObject("metadata").getString("finishReason"));
    assertEquals(1000, done.getJsonObject("metadata").getJsonObject("usage").getInteger("completion_tokens"));
  }

  @Test
  void twoHundredConcurrentStreamsAreEachIntact(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> RelayHarness.instances(c, 2, 2));
    SseClient client = new SseClient(vertx, h.port);
    List<Future<SseClient.Result>> results = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String messages = SseClient.userMessages("stream " + i + " [sim tokens=" + (20 + i % 7) + " paceMs=5 multibyte]");
      results.add(client.get(SseClient.query(messages, null)));
    }
    Future.all(results).await();

    assertEquals(200, h.simulator.stats().started());
    for (int i = 0; i < 200; i++) {
      SseClient.Result result = results.get(i).result();
      int tokens = 20 + i % 7;
      assertEquals(tokens + 1, result.events().size(), "stream " + i);
      assertEquals("[DONE]", result.last().json().getString("text"));
      StringBuilder expected = new StringBuilder();
      String[] words = {"héllo ", "wörld ", "日本語 ", "🙂 ", "naïve ", "Ωmega ", "café ", "€ ", "𝄞 ", "ß "};
      for (int t = 0; t < tokens; t++) {
        expected.append(words[t % words.length]);
      }
      assertEquals(expected.toString(), result.text(), "stream " + i);
    }
  }

  @Test
  void postStreamAndNonStreamingCompletionCarryTheSameAnswer(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    String body = new JsonObject()
      .put("messages", new io.vertx.core.json.JsonArray(SseClient.userMessages("hi [sim tokens=9 paceMs=1]")))
      .put("options", new JsonObject().put("model", "anthropic/claude-3.5-sonnet"))
      .encode();

    SseClient.Result streamed = client.post("/api/v1/llm/complete/stream", body).await();
    SseClient.Result whole = client.post("/api/v1/llm/complete", body).await();

    assertEquals(200, streamed.status());
    assertEquals("The quick brown fox jumps over the lazy dog. ", streamed.text());
    assertEquals(200, whole.status());
    JsonObject json = new JsonObject(whole.body());
    assertEquals("The quick brown fox jumps over the lazy dog. ", json.getString("text"));
    assertEquals("anthropic/claude-3.5-sonnet", json.getJsonObject("metadata").getString("model"));
    assertEquals("stop", json.getJsonObject("metadata").getString("finishReason"));
    assertEquals(9, json.getJsonObject("metadata").getJsonObject("usage").getInteger("completion_tokens"));
    assertEquals(2, h.simulator.stats().requests());
  }

  @Test
  void optionsAreMappedToOpenRouterFields(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);
    JsonObject schema = new JsonObject().put("type", "object")
      .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string")));
    JsonObject options = new JsonObject()
      .put("model", "openai/gpt-4o")
      .put("models", new io.vertx.core.json.JsonArray().add("anthropic/claude-3.5-sonnet"))
      .put("temperature", 0.3).put("maxTokens", 50).put("topP", 0.9)
      .put("stop", new io.vertx.core.json.JsonArray().add("END"))
      .put("responseFormat", new JsonObject().put("type", "json_schema").put("schema", schema).put("name", "weather")
        .put("strict", true));

    SseClient.Result result = client.get(SseClient.query(SseClient.userMessages("weather?"), options.encode())).await();

    assertEquals("[DONE]", result.last().json().getString("text"));
    JsonObject sent = h.simulator.stats().bodies().get(0);
    JsonObject expected = new JsonObject()
      .put("model", "openai/gpt-4o")
      .put("models", new io.vertx.core.json.JsonArray().add("anthropic/claude-3.5-sonnet"))
      .put("messages", new io.vertx.core.json.JsonArray(SseClient.userMessages("weather?")))
      .put("stream", true)
      .put("temperature", 0.3).put("max_tokens", 50).put("top_p", 0.9)
      .put("stop", new io.vertx.core.json.JsonArray().add("END"))
      .put("response_format", new JsonObject().put("type", "json_schema").put("json_schema",
        new JsonObject().put("name", "weather").put("strict", true).put("schema", schema)));
    assertEquals(expected, sent);
  }

  @Test
  void modelsEndpointServesTheCatalogAndSaysWhetherItIsSimulated(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient client = new SseClient(vertx, h.port);

    SseClient.Result result = client.get("/api/v1/llm/models").await();

    assertEquals(200, result.status());
    JsonObject json = new JsonObject(result.body());
    assertFalse(json.getBoolean("simulated"), "an explicit RELAY_UPSTREAM_URL is not simulator mode");
    assertNull(json.getString("notice"));
    List<String> ids = json.getJsonArray("models").stream().map(m -> ((JsonObject) m).getString("id")).toList();
    // In the file and in the simulator's /models alike, whichever the catalog serves by now.
    assertTrue(ids.containsAll(List.of("anthropic/claude-3.5-sonnet", "openai/gpt-4o", "openai/gpt-4o-mini")), ids.toString());
    JsonObject claude = json.getJsonArray("models").getJsonObject(0);
    assertEquals(200000, claude.getInteger("contextWindow"));
  }

  @Test
  void reconnectingEventSourceGets204InsteadOfASecondGeneration(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    io.vertx.core.http.HttpClient http = vertx.createHttpClient();
    int status = new ClientLoop(vertx).run(() -> http.request(io.vertx.core.http.HttpMethod.GET, h.port, "127.0.0.1",
        SseClient.query(SseClient.userMessages("again"), null))
      .compose(req -> req.putHeader("Last-Event-ID", "7").send())
      .map(io.vertx.core.http.HttpClientResponse::statusCode))
      .await();

    assertEquals(204, status);
    assertEquals(0, h.simulator.stats().requests());
  }

  /** As the seed's {@code new Date().toISOString()}: UTC, exactly three fraction digits. */
  static void assertIsoTimestampBetween(long before, long after, String timestamp) {
    assertTrue(timestamp.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"), timestamp);
    long at = Instant.parse(timestamp).toEpochMilli();
    assertTrue(at >= before && at <= after, timestamp + " within the request");
  }
}
