package dev.llmrelay.api;

import dev.llmrelay.config.BreakerConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.testing.Await;
import dev.llmrelay.testing.RelayHarness;
import dev.llmrelay.testing.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The breaker seen from outside: {@code /health} reports it, an open one fails streams fast, a probe closes it. */
@ExtendWith(VertxExtension.class)
class BreakerHealthTest {

  private static RelayConfig oneProviderQuickBreaker(RelayConfig c) {
    BreakerConfig b = c.breaker();
    return RelayHarness.instances(c, 1, 1)
      .withBreaker(b.withOpening(100, 2, b.failureWindowMs(), 600).withRetries(0, b.initialDelayMs(), b.maxDelayMs(),
        b.deadlineMs()));
  }

  @Test
  void openBreakerShowsInHealthFailsFastAndRecovers(Vertx vertx) {
    RelayHarness h = RelayHarness.start(vertx, BreakerHealthTest::oneProviderQuickBreaker);
    SseClient client = new SseClient(vertx, h.port);
    String flaky = new JsonObject().put("model", "a/flaky").encode();
    for (int i = 0; i < 2; i++) {
      assertEquals("upstream_unavailable", client.get(SseClient.query(SseClient.userMessages("x [sim status=500]"), flaky))
        .await().last().json().getString("type"));
    }

    SseClient.Result health = client.get("/health").await();
    assertEquals(503, health.status(), "the only route this relay was asked for is open: it can serve nothing asked of it");
    JsonObject json = new JsonObject(health.body());
    assertEquals(false, json.getBoolean("ready"));
    JsonObject route = json.getJsonObject("upstream").getJsonArray("routes").getJsonObject(0);
    assertEquals("a/flaky", route.getString("route"));
    assertEquals("OPEN", route.getString("state"));

    SseClient.Result shortCircuited = client.get(SseClient.query(SseClient.userMessages("fine"), flaky)).await();
    JsonObject error = shortCircuited.last().json();
    assertEquals("error", shortCircuited.last().event());
    assertEquals("circuit_open", error.getString("type"));
    assertEquals(503, error.getInteger("status"));
    assertEquals(true, error.getBoolean("retryable"));
    assertEquals(600, error.getLong("retryAfterMs"));
    assertEquals(2, h.simulator.stats().requests(), "the open breaker kept the request from the upstream");

    Await.until(() -> "HALF_OPEN".equals(new JsonObject(client.get("/health").await().body()).getJsonObject("upstream")
      .getJsonArray("routes").getJsonObject(0).getString("state")), 3000, "the breaker half-opens");
    SseClient.Result probe = client.get(SseClient.query(SseClient.userMessages("probe [sim tokens=2]"), flaky)).await();
    assertEquals("The quick ", probe.text());
    JsonObject after = new JsonObject(client.get("/health").await().body());
    assertEquals("CLOSED", after.getJsonObject("upstream").getJsonArray("routes").getJsonObject(0).getString("state"));
    assertEquals(true, after.getBoolean("ready"));
  }
}
