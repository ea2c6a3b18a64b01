package dev.llmrelay.edge;

import dev.llmrelay.config.BreakerConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.simulator.Simulator;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import dev.llmrelay.testing.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Health domains and overload, seen by clients: one model's rate limits or failures touch only that
 * model, final answers keep their type whatever came before, and beyond the admission limit a new
 * stream is refused at once with {@code overloaded} while the streams already running finish whole.
 */
@ExtendWith(VertxExtension.class)
class HealthAndOverloadTest {

  private static String options(String model) {
    return new JsonObject().put("model", model).encode();
  }

  private static String body(String model, String content) {
    return new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user")
      .put("content", content))).put("options", new JsonObject().put("model", model)).encode();
  }

  private static String openAi(String model, String content) {
    return new JsonObject().put("model", model).put("messages", new JsonArray().add(new JsonObject()
      .put("role", "user").put("content", content))).encode();
  }

  private static JsonObject route(JsonObject health, String name) {
    for (Object r : health.getJsonObject("upstream").getJsonArray("routes")) {
      if (name.equals(((JsonObject) r).getString("route"))) {
        return (JsonObject) r;
      }
    }
    throw new AssertionError("no route " + name + " in " + health.encode());
  }

  @Test
  void rateLimitsOnOneModelAreRateLimitsEverywhereAndLeaveOtherModelsStreaming(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx);
    SseClient sse = new SseClient(vertx, h.port);
    EdgeClient http = new EdgeClient(vertx, h.port);
    // Retry-After 30 s is past the relay's retry deadline: the first 429 is answered at once, and the route
    // then waits out the 30 s without asking the upstream again.
    String limited = "hello [sim status=429 retryAfter=30]";
    for (int i = 0; i < 6; i++) {
      SseEvent error = sse.get(SseClient.query(SseClient.userMessages(limited), options("a/limited"))).await().last();
      assertEquals("error", error.event());
      assertEquals("rate_limit", error.json().getString("type"));
      assertEquals(429, error.json().getInteger("status"));
      assertTrue(error.json().getString("error").contains("rate limit"), error.json().getString("error"));
    }
    EdgeClient.Response plain = http.post("/api/v1/llm/complete", Map.of("Content-Type", "application/json"),
      body("a/limited", limited)).await();
    assertEquals(429, plain.status());
    assertEquals("rate_limit", plain.json().getString("type"));
    assertTrue(Integer.parseInt(plain.headers().get("Retry-After")) >= 25, plain.headers().get("Retry-After"));
    EdgeClient.Response openAi = http.post("/v1/chat/completions", Map.of("Content-Type", "application/json"),
      openAi("a/limited", limited)).await();
    assertEquals(429, openAi.status());
    assertEquals("rate_limit_error", openAi.json().getJsonObject("error").getString("type"));
    assertEquals(1, h.simulator.stats().requests("a/limited"), "one 429, then the route backed off");

    // Final answers keep their type, whatever came before them.
    EdgeClient.Response tooLong = http.post("/api/v1/llm/complete", Map.of("Content-Type", "application/json"),
      body("b/other", "hello [sim status=400]")).await();
    assertEquals(400, tooLong.status());
    assertEquals("context_length", tooLong.json().getString("type"));
    EdgeClient.Response auth = http.post("/v1/chat/completions", Map.of("Content-Type", "application/json"),
      openAi("b/other", "hello [sim status=401]")).await();
    assertEquals(401, auth.status());

    SseClient.Result fine = sse.get(SseClient.query(SseClient.userMessages("hi [sim tokens=5]"), options("b/other")))
      .await();
    assertEquals(Simulator.normalAnswer(5), fine.text());
    assertEquals("[DONE]", fine.last().json().getString("text"));

    JsonObject health = new JsonObject(sse.get("/health").await().body());
    assertEquals(true, health.getBoolean("ready"));
    assertEquals("CLOSED", route(health, "a/limited").getString("state"), "a rate limit is not ill health");
    assertTrue(route(health, "a/limited").getLong("rateLimitedForMs") > 20_000, health.encode());
    assertEquals("CLOSED", route(health, "b/other").getString("state"));
  }

  private static RelayConfig quickBreaker(RelayConfig c) {
    BreakerConfig b = c.breaker();
    return c.withBreaker(b.withOpening(50, 4, 10_000, 30_000).withRetries(0, b.initialDelayMs(), b.maxDelayMs(), b.deadlineMs()));
  }

  @Test
  void sustainedFailuresOpenOneRouteOnlyAndTheNodeStaysReady(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, HealthAndOverloadTest::quickBreaker);
    SseClient sse = new SseClient(vertx, h.port);
    EdgeClient http = new EdgeClient(vertx, h.port);
    for (int i = 0; i < 4; i++) {
      SseEvent error = sse.get(SseClient.query(SseClient.userMessages("x [sim status=502]"), options("a/down")))
        .await().last();
      assertEquals("upstream_unavailable", error.json().getString("type"));
    }
    SseEvent fast = sse.get(SseClient.query(SseClient.userMessages("x"), options("a/down"))).await().last();
    assertEquals("circuit_open", fast.json().getString("type"));
    assertEquals(4, h.simulator.stats().requests("a/down"), "the open route did not call the upstream");
    EdgeClient.Response openAi = http.post("/v1/chat/completions", Map.of("Content-Type", "application/json"),
      openAi("a/down", "x")).await();
    assertEquals(503, openAi.status());
    assertEquals("circuit_open", openAi.json().getJsonObject("error").getString("code"));

    SseClient.Result other = sse.get(SseClient.query(SseClient.userMessages("hi [sim tokens=7]"), options("b/up")))
      .await();
    assertEquals(Simulator.normalAnswer(7), other.text());

    SseClient.Result health = sse.get("/health").await();
    assertEquals(200, health.status());
    JsonObject json = new JsonObject(health.body());
    assertEquals(true, json.getBoolean("ready"), "one open route leaves the node ready for the others");
    assertEquals("OPEN", route(json, "a/down").getString("state"));
    assertEquals("CLOSED", route(json, "b/up").getString("state"));
    assertEquals(200, sse.get("/health/ready").await().status());
    String metrics = sse.get("/metrics").await().body();
    assertTrue(metrics.contains("relay_route_circuit{route=\"a/down\"} 2.0"), metrics);
    assertTrue(metrics.contains("relay_route_circuit{route=\"b/up\"} 0.0"), metrics);
  }

  @Test
  void beyondTheAdmissionLimitANewStreamIsOverloadedAtOnceAndRunningOnesFinish(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, c -> c.withUpstream(c.upstream().withMaxStreams(2)));
    SseClient sse = new SseClient(vertx, h.port);
    EdgeClient http = new EdgeClient(vertx, h.port);
    String slow = "go [sim tokens=20 paceMs=40]";
    List<Future<SseClient.Result>> running = List.of(
      sse.get(SseClient.query(SseClient.userMessages(slow), options("m/one"))),
      sse.get(SseClient.query(SseClient.userMessages(slow), options("m/one"))));
    Await.until(() -> h.simulator.stats().started() == 2, 5_000, "both streams are running");

    SseEvent refused = sse.get(SseClient.query(SseClient.userMessages("x"), options("m/one"))).await().last();
    assertEquals("error", refused.event());
    assertEquals("overloaded", refused.json().getString("type"));
    assertEquals(503, refused.json().getInteger("status"));
    assertEquals(true, refused.json().getBoolean("retryable"));
    assertTrue(refused.json().getString("error").contains("limit of 2"), refused.json().getString("error"));
    EdgeClient.Response plain = http.post("/api/v1/llm/complete", Map.of("Content-Type", "application/json"),
      body("m/two", "x")).await();
    assertEquals(503, plain.status());
    assertEquals("overloaded", plain.json().getString("type"));
    assertEquals("1", plain.headers().get("Retry-After"));
    EdgeClient.Response openAi = http.post("/v1/chat/completions", Map.of("Content-Type", "application/json"),
      openAi("m/two", "x")).await();
    assertEquals(503, openAi.status());
    assertEquals("overloaded_error", openAi.json().getJsonObject("error").getString("type"));
    assertEquals(2, h.simulator.stats().requests(), "refused streams never reach the upstream");

    for (Future<SseClient.Result> stream : running) {
      SseClient.Result whole = stream.await();
      assertEquals(Simulator.normalAnswer(20), whole.text());
      assertEquals("[DONE]", whole.last().json().getString("text"));
    }
    JsonObject health = new JsonObject(sse.get("/health").await().body());
    assertEquals(true, health.getBoolean("ready"));
    assertEquals(2, route(health, "m/one").getInteger("calls"));
    assertEquals(0, route(health, "m/one").getInteger("failures"), "overload counts against no route");
    Await.until(() -> h.relay.health().openStreams() == 0, 5_000, "the admitted streams are released");
    SseClient.Result after = sse.get(SseClient.query(SseClient.userMessages("again [sim tokens=3]"), options("m/two")))
      .await();
    assertEquals(Simulator.normalAnswer(3), after.text(), "places free up as streams end");
  }
}
