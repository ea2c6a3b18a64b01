package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-key limits through the relay, on a test clock: each trips at its configured number, answers 429, and recovers. */
@ExtendWith(VertxExtension.class)
class LimitsTest {

  static final String KEY = "limits-test-key-1";
  static final long T0 = 1_800_000_040_000L;

  static String body(String prompt) {
    return new JsonObject().put("messages", new JsonArray(SseClient.userMessages(prompt))).encode();
  }

  static void assertRateLimited(EdgeClient.Response r, String what, String retryAfter) {
    assertEquals(429, r.status(), r.body());
    JsonObject json = r.json();
    assertEquals("rate_limit", json.getString("type"));
    assertEquals(429, json.getInteger("status"));
    assertEquals(true, json.getBoolean("retryable"));
    assertTrue(json.getString("error").contains("rate limit"), json.getString("error"));
    assertTrue(json.getString("error").contains(what), json.getString("error"));
    assertEquals(retryAfter, r.headers().get("Retry-After"));
  }

  @Test
  void requestsPerMinuteTripAtTheLimitAndRecoverWhenTheMinuteHasPassed(Vertx vertx) {
    AtomicLong now = new AtomicLong(T0);
    RelayHarness h = RelayHarness.start(vertx,
      c -> EdgeClient.withKey(c, "rpm", KEY, new SecurityConfig.Limits(3, 0, 0)), now::get);
    EdgeClient client = new EdgeClient(vertx, h.port);
    String body = body("hi [sim tokens=2 paceMs=0]");

    for (int i = 0; i < 3; i++) {
      assertEquals(200, client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), body).await().status());
    }
    assertRateLimited(client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), body).await(),
      "3 requests per minute", "60");
    assertRateLimited(client.post("/api/v1/llm/complete/stream", EdgeClient.bearer(KEY), body).await(),
      "3 requests per minute", "60");
    now.addAndGet(59_000);
    assertRateLimited(client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), body).await(),
      "3 requests per minute", "1");
    assertEquals(3, h.simulator.stats().requests());
    // The catalog and the token endpoint do not count: only completions do.
    assertEquals(200, client.get("/api/v1/llm/models", EdgeClient.bearer(KEY)).await().status());

    now.addAndGet(1_000);
    assertEquals(200, client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), body).await().status());
    assertEquals(4, h.simulator.stats().requests());
  }

  @Test
  void concurrentStreamsTripAtTheLimitAndASlotFreesWhenAClientLeaves(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx,
      c -> EdgeClient.withKey(c, "conc", KEY, new SecurityConfig.Limits(0, 2, 0)));
    EdgeClient client = new EdgeClient(vertx, h.port);
    SseClient sse = new SseClient(vertx, h.port);
    String token = client.post("/api/v1/llm/token", EdgeClient.bearer(KEY), "").await().json().getString("token");
    String slow = SseClient.query(SseClient.userMessages("long [sim tokens=2000 paceMs=20]"), null)
      + "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    AtomicBoolean leave = new AtomicBoolean();
    Future<SseClient.Result> first = sse.get(slow, events -> leave.get());
    Future<SseClient.Result> second = sse.get(slow, events -> leave.get());
    Await.until(() -> h.simulator.stats().started() == 2, 10_000, "both streams started upstream");

    assertRateLimited(client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), body("x")).await(),
      "2 concurrent requests", "1");
    assertEquals(2, h.simulator.stats().requests());

    leave.set(true);
    assertTrue(first.await().closedByUs() && second.await().closedByUs());
    // Leaving cancels the upstream stream and frees the slot.
    Await.until(() -> h.simulator.stats().aborted() == 2, 10_000, "both upstream streams closed");
    Await.until(() -> client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), body("again [sim tokens=1 paceMs=0]"))
      .await().status() == 200, 10_000, "a slot is free again");
    assertEquals(3, h.simulator.stats().requests());
  }

  @Test
  void tokensPerMinuteAreSettledFromUsageChargedAsDeltasArriveAndRecover(Vertx vertx) {
    AtomicLong now = new AtomicLong(T0);
    RelayHarness h = RelayHarness.start(vertx,
      c -> EdgeClient.withKey(c, "tpm", KEY, new SecurityConfig.Limits(0, 0, 30)), now::get);
    EdgeClient client = new EdgeClient(vertx, h.port);

    // 20 deltas alone would leave room; the usage (17 prompt + 20 completion = 37) does not.
    assertEquals(200, client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), body("a [sim tokens=20 paceMs=0]"))
      .await().status());
    assertRateLimited(client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), body("b")).await(),
      "30 tokens per minute", "60");
    now.addAndGet(60_000);

    // A running stream is charged per delta: past 30 of them the key is refused while it still runs.
    String token = client.post("/api/v1/llm/token", EdgeClient.bearer(KEY), "").await().json().getString("token");
    AtomicInteger seen = new AtomicInteger();
    AtomicBoolean leave = new AtomicBoolean();
    Future<SseClient.Result> running = new SseClient(vertx, h.port).get(
      SseClient.query(SseClient.userMessages("c [sim tokens=5000 paceMs=5]"), null) + "&token="
        + URLEncoder.encode(token, StandardCharsets.UTF_8),
      events -> {
        seen.set(events.size());
        return leave.get();
      });
    Await.until(() -> seen.get() >= 31, 10_000, "31 tokens streamed");
    assertRateLimited(client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), body("d")).await(),
      "30 tokens per minute", "60");
    assertTrue(!running.isComplete(), "the stream is still running");
    leave.set(true);
    assertTrue(running.await().closedByUs());
    assertEquals(2, h.simulator.stats().requests());

    now.addAndGet(60_000);
    assertEquals(200, client.post("/api/v1/llm/complete", EdgeClient.bearer(KEY), body("e [sim tokens=1 paceMs=0]"))
      .await().status());
    assertEquals(3, h.simulator.stats().requests());
  }
}
